-- Pause, resume or end a venture with a reason; the status trigger holds the
-- legal moves and the audit trigger writes the history and the event.
create or replace function eva.fn_set_venture_status(p_venture_id uuid, p_status eva.venture_status, p_reason text)
returns eva.ventures
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
begin
  if coalesce(pg_catalog.btrim(p_reason), '') = '' then
    raise exception 'a status change needs a reason' using errcode = 'EV400';
  end if;
  -- Sunset and exit are the Chairman's decisions (spec §11, Stage 25); services may kill at a kill gate.
  if p_status in ('sunset', 'exited') and not eva.fn_is_chairman() then
    raise exception 'only the Chairman may % a venture', case p_status when 'sunset' then 'sunset' else 'exit' end
      using errcode = 'EV403';
  end if;
  -- No key update, not for update: rows referencing the venture (a running stage's contract, its
  -- events) take key-share locks on it, and must not wait behind a kill that waits for their work.
  select * into v_venture from eva.ventures where id = p_venture_id for no key update;
  if not found then
    raise exception 'venture % does not exist', p_venture_id using errcode = 'EV404';
  end if;
  if v_venture.status = p_status then
    return v_venture;
  end if;
  perform pg_catalog.set_config('eva.change_reason', p_reason, true);
  update eva.ventures set status = p_status where id = p_venture_id returning * into v_venture;
  perform pg_catalog.set_config('eva.change_reason', '', true);
  return v_venture;
end;
$$;
comment on function eva.fn_set_venture_status(uuid, eva.venture_status, text) is
  'Changes a venture''s status (legal moves only, EV409) with a reason recorded in venture_state_history; sunset and exited are the Chairman''s alone (EV403).';
-- No request role runs it: workers kill at a kill gate through eva.fn_record_stage_result,
-- the Chairman ends a venture by deciding (eva.fn_decide). Executable by its owner only.
