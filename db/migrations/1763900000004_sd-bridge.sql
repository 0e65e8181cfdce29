-- Up Migration

-- The SD bridge and its return path (spec §9, §15 SD Execution Saga): each
-- Stage 18 run becomes one orchestrator work item for the sprint and one child
-- per sprint item, tracked by an sd_execution saga; engineering reports each
-- child once (status and test results), and the last report releases Stage 19.
create table eva.sd_work_items (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  saga_id uuid not null references eva.eva_sagas (id),
  stage_work_id uuid not null references eva.venture_stage_work (id),
  parent_id uuid references eva.sd_work_items (id),
  kind text not null check (kind in ('orchestrator', 'child')),
  position int not null check (position >= 0),
  title text not null check (char_length(title) between 1 and 500),
  item_type text check (item_type in ('feature', 'infrastructure', 'integration', 'documentation', 'bugfix')),
  estimated_loc int check (estimated_loc >= 0),
  acceptance_criteria jsonb not null default '[]' check (jsonb_typeof(acceptance_criteria) = 'array'),
  architecture_layer text,
  milestone_ref text,
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'blocked')),
  tests_passed int check (tests_passed >= 0),
  tests_failed int check (tests_failed >= 0),
  coverage_pct numeric check (coverage_pct between 0 and 100),
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  -- The orchestrator is the sprint (position 0, no parent); children are its items.
  check ((kind = 'orchestrator') = (parent_id is null)),
  check ((kind = 'orchestrator') = (position = 0)),
  check (kind = 'orchestrator' or item_type is not null),
  -- A report is made once: a pending item has no result, a reported one has its time.
  check ((status = 'pending') = (completed_at is null)),
  check (status <> 'pending' or (tests_passed is null and tests_failed is null and coverage_pct is null)),
  check (status = 'pending' or (tests_passed is not null and tests_failed is not null))
);
comment on table eva.sd_work_items is
  'Strategic Directives the SD bridge created from a Stage 18 sprint plan (spec §9): one orchestrator per sprint, one child per sprint item, each reported once by engineering (status, test results).';
comment on column eva.sd_work_items.stage_work_id is 'The Stage 18 run whose sprint_plan artifact the items were made from.';
comment on column eva.sd_work_items.position is 'Order within the sprint: 0 for the orchestrator, 1..N for the sprint items in plan order.';
comment on column eva.sd_work_items.status is
  'pending until reported; children: succeeded, failed or blocked as engineering reports; the orchestrator sums its children once all have reported.';
-- Once per Stage 18 run and position: a second bridge start for the same run cannot duplicate the sprint.
create unique index sd_work_items_once_per_run on eva.sd_work_items (venture_id, stage_work_id, position);
create index sd_work_items_venture_status_idx on eva.sd_work_items (venture_id, status);
create index sd_work_items_venture_saga_idx on eva.sd_work_items (venture_id, saga_id, position);

-- Down Migration
drop table eva.sd_work_items;
