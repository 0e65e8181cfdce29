-- A retired venture's retrospective is a learning: its kill reason and the
-- analyst's lessons are searchable across the portfolio.
create or replace function eva_private.fn_search_index_retrospective(p_saga_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r record;
begin
  select rt.saga_id, rt.venture_id, rt.stage_of_death, rt.ended_as, rt.kill_reason, rt.analysis, v.name as venture_name
  into r
  from eva.venture_retrospectives rt join eva.ventures v on v.id = rt.venture_id
  where rt.saga_id = p_saga_id;
  if not found then
    delete from eva.search_documents where source_table = 'venture_retrospectives' and source_id = p_saga_id::text;
    return;
  end if;
  perform eva_private.fn_search_put('learning', 'venture_retrospectives', r.saga_id::text, r.venture_id, r.stage_of_death,
    r.venture_name, r.venture_name || ' · retrospective (' || r.ended_as || ' at stage ' || r.stage_of_death || ')',
    'retrospective lessons',
    pg_catalog.concat_ws(E'\n', r.kill_reason, eva_private.fn_search_jsonb_text(r.analysis)),
    pg_catalog.concat_ws(' ', 'learning retrospective', r.ended_as));
end;
$$;
comment on function eva_private.fn_search_index_retrospective(uuid) is
  'Writes a venture retrospective''s search document (kind learning).';
