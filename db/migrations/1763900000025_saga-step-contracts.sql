-- Up Migration

-- Saga steps run under task contracts (src/orchestration/sagas/engine.ts
-- runSagaStep); a step an open circuit deferred keeps its pending contract
-- and runs again under it (eva_private.fn_contract_open), found by saga and step.
create index agent_task_contracts_saga_step_idx on eva.agent_task_contracts (saga_id, saga_step)
  where saga_id is not null;

-- A retired venture's post-mortem is a model call like any other: its tokens
-- are charged to the venture (eva_private.fn_record_retrospective).
alter table eva.venture_budget_transactions
  drop constraint venture_budget_transactions_purpose_check,
  add constraint venture_budget_transactions_purpose_check
    check (purpose in ('analysis', 'devils_advocate', 'ideation', 'content', 'retrospective'));

-- Event deliveries are kept like the event log (README, "Retention"): their
-- partitions live in eva_partitions (the committed schema dump stays the same
-- from month to month) and the partition manager creates them ahead and
-- archives, then drops, those past retention. A dead letter keeps its own copy
-- of the event (eva.eva_event_dlq), so archiving deliveries loses none.
do $$
declare
  r record;
  m date;
  v_name text;
begin
  for r in
    select c.relname from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = 'eva.event_deliveries'::regclass and n.nspname = 'eva'
  loop
    execute pg_catalog.format('alter table eva.%I set schema eva_partitions', r.relname);
    execute pg_catalog.format('alter table eva_partitions.%I enable row level security', r.relname);
  end loop;
  -- This month and three ahead, as the manager keeps them (months_ahead 3).
  for i in 0..3 loop
    m := (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) + pg_catalog.make_interval(months => i))::date;
    v_name := 'event_deliveries_p' || pg_catalog.to_char(m, 'YYYYMM');
    if pg_catalog.to_regclass('eva_partitions.' || v_name) is null then
      execute pg_catalog.format('create table eva_partitions.%I partition of eva.event_deliveries for values from (%L) to (%L)',
        v_name, pg_catalog.timezone('UTC', m::timestamp), pg_catalog.timezone('UTC', (m + interval '1 month')::timestamp));
      execute pg_catalog.format('alter table eva_partitions.%I enable row level security', v_name);
    end if;
  end loop;
end
$$;
insert into eva_private.partition_policies (table_name, partition_column, partition_schema, months_ahead, keep_months, note)
values ('eva.event_deliveries', 'event_logged_at', 'eva_partitions', 3, 13,
  'Deliveries of events to subscriptions: operational records, kept 13 months; dead letters keep their own copy of the event.');

-- Down Migration

delete from eva_private.partition_policies where table_name = 'eva.event_deliveries';

delete from eva.venture_budget_transactions where purpose = 'retrospective';
alter table eva.venture_budget_transactions
  drop constraint venture_budget_transactions_purpose_check,
  add constraint venture_budget_transactions_purpose_check
    check (purpose in ('analysis', 'devils_advocate', 'ideation', 'content'));

drop index eva.agent_task_contracts_saga_step_idx;
