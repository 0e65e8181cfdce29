-- Audit rows are facts: once written they are never changed or removed.
create or replace function eva_private.tg_refuse_change()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  -- A partition's row is its table's row: name the partitioned table (eva_event_log, not eva_event_log_p202612).
  v_table text := coalesce((select c.relname::text from pg_catalog.pg_class c
    where c.oid = pg_catalog.pg_partition_root(tg_relid)), tg_table_name);
begin
  raise exception '% rows are immutable: % is refused', v_table, pg_catalog.lower(tg_op)
    using errcode = 'EV430',
          hint = 'Audit records are append-only; write a new record instead.';
end;
$$;
comment on function eva_private.tg_refuse_change() is 'Trigger: refuses UPDATE, DELETE and TRUNCATE on append-only tables.';

create or replace trigger _010_refuse_change before update or delete on eva.venture_stage_transitions
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _011_refuse_truncate before truncate on eva.venture_stage_transitions
  for each statement execute function eva_private.tg_refuse_change();
create or replace trigger _010_refuse_change before update or delete on eva.venture_state_history
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _011_refuse_truncate before truncate on eva.venture_state_history
  for each statement execute function eva_private.tg_refuse_change();
create or replace trigger _010_refuse_change before update or delete on eva.eva_event_log
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _011_refuse_truncate before truncate on eva.eva_event_log
  for each statement execute function eva_private.tg_refuse_change();
create or replace trigger _010_refuse_change before update or delete on eva.venture_metrics
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _011_refuse_truncate before truncate on eva.venture_metrics
  for each statement execute function eva_private.tg_refuse_change();
-- Marketing content's variants, transitions and reviews are records: written once, never changed.
create or replace trigger _010_refuse_change before update or delete on marketing.marketing_content_variants
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _010_refuse_change before update or delete on marketing.marketing_content_transitions
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _010_refuse_change before update or delete on marketing.marketing_content_reviews
  for each row execute function eva_private.tg_refuse_change();
-- Marketing events are append-only facts.
create or replace trigger _010_refuse_change before update or delete on marketing.marketing_events
  for each row execute function eva_private.tg_refuse_change();
create or replace trigger _011_refuse_truncate before truncate on marketing.marketing_events
  for each statement execute function eva_private.tg_refuse_change();
