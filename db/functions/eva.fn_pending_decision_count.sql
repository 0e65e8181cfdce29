-- Portfolio metrics show how many decisions wait for the Chairman, and viewers
-- read the metrics but may not read chairman_decisions: this gives them the
-- count only, never a decision's content.
create or replace function eva.fn_pending_decision_count()
returns bigint
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.count(*) from eva.chairman_decisions where status = 'pending';
$$;
comment on function eva.fn_pending_decision_count() is 'How many Chairman decisions are pending (the count only; the decisions stay Chairman and service reading).';
grant execute on function eva.fn_pending_decision_count() to eva_chairman, eva_service, eva_viewer;
