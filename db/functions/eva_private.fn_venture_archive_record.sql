-- Records an archive-store file a retirement saga wrote (once per saga and
-- kind; the same file again returns the row, other bytes are refused).
create or replace function eva_private.fn_venture_archive_record(
  p_saga_id uuid,
  p_kind text,
  p_key text,
  p_uri text,
  p_sha256 text,
  p_bytes bigint,
  p_details jsonb default '{}'
)
returns eva.venture_archives
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.venture_archives;
begin
  select * into v_row from eva.venture_archives where saga_id = p_saga_id and kind = p_kind;
  if found then
    if v_row.sha256 <> p_sha256 then
      raise exception 'the % archive of saga % is recorded with sha256 %, not %', p_kind, p_saga_id, v_row.sha256, p_sha256
        using errcode = 'EV409';
    end if;
    return v_row;
  end if;
  insert into eva.venture_archives (saga_id, venture_id, kind, key, uri, sha256, bytes, details)
  select p_saga_id, s.venture_id, p_kind, p_key, p_uri, p_sha256, p_bytes, coalesce(p_details, '{}'::jsonb)
  from eva.eva_sagas s where s.id = p_saga_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  perform eva_private.fn_log_event('archive.written', v_row.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', p_saga_id, 'kind', p_kind, 'uri', p_uri, 'sha256', p_sha256, 'bytes', p_bytes));
  return v_row;
end;
$$;
comment on function eva_private.fn_venture_archive_record(uuid, text, text, text, text, bigint, jsonb) is
  'Records an archive-store file of a retirement saga (export or records) with its SHA-256, once per saga and kind.';
grant execute on function eva_private.fn_venture_archive_record(uuid, text, text, text, text, bigint, jsonb) to eva_service;
