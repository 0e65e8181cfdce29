-- Stage 0's competitor URLs (a brief's competitorRef) are web addresses a
-- person or an analyst may open later: http(s) with a host, never file:,
-- javascript:, data: or the like, whatever path (SQL, CLI, GraphQL) opened it.
create or replace function eva_private.tg_chairman_decisions_urls()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_refs jsonb := new.context -> 'brief' -> 'competitorRef';
  v_ref jsonb;
  v_i int := 0;
begin
  if v_refs is null or pg_catalog.jsonb_typeof(v_refs) = 'null' then
    return new;
  end if;
  if pg_catalog.jsonb_typeof(v_refs) <> 'array' then
    raise exception 'competitorRef must be an array of http(s) URLs' using errcode = 'EV400';
  end if;
  for v_ref in select value from pg_catalog.jsonb_array_elements(v_refs) loop
    if pg_catalog.jsonb_typeof(v_ref) <> 'string' or (v_ref #>> '{}') !~* '^https?://[^/?#[:space:]]+([/?#][^[:space:]]*)?$' then
      raise exception 'competitorRef[%] must be an http(s) URL (https://…)', v_i using errcode = 'EV400',
        hint = 'Only http: and https: addresses are stored for Stage 0 (no file:, javascript:, data:).';
    end if;
    v_i := v_i + 1;
  end loop;
  return new;
end;
$$;
comment on function eva_private.tg_chairman_decisions_urls() is
  'Trigger: a Stage 0 brief''s competitorRef holds http(s) URLs only (refused with EV400 naming the index).';

create or replace trigger _020_urls before insert or update of context on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_urls();
