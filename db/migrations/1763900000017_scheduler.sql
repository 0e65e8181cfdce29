-- Up Migration

-- The master scheduler and per-venture cadence (spec §4). graphile-worker's
-- crontab fires the ticks (src/tasks/index.ts); the state they read and write
-- lives here.

-- Stage work that waits for its due time (the next ops cycle after a Stage 25
-- "continue"): status scheduled with due_at; a tick makes it ready when
-- eva.fn_scheduler_now() reaches due_at, and the existing trigger then queues
-- its stage_run.
alter type eva.stage_work_status add value if not exists 'scheduled' after 'ready';
alter table eva.venture_stage_work add column due_at timestamptz;
comment on column eva.venture_stage_work.due_at is
  'For work scheduled on the venture''s cadence: when it becomes ready (scheduler time, eva.fn_scheduler_now()).';
create index venture_stage_work_due_idx on eva.venture_stage_work (due_at) where due_at is not null;

-- Per-venture cadence (Layer 3): the risk band and its intervals, adjusted
-- from the venture's health band unless the Chairman set them.
create table eva.venture_cadence (
  venture_id uuid primary key references eva.ventures (id),
  risk_band text not null check (risk_band in ('high', 'moderate', 'stable')),
  ops_cycle interval not null check (ops_cycle between interval '1 day' and interval '365 days'),
  health_check interval not null check (health_check between interval '1 hour' and interval '90 days'),
  chairman_summary interval not null check (chairman_summary between interval '1 day' and interval '365 days'),
  source text not null default 'health' check (source in ('health', 'chairman')),
  override_reason text,
  next_health_check_at timestamptz,
  last_health_check_at timestamptz,
  last_health_basis text,
  updated_at timestamptz not null default now(),
  check ((source = 'chairman') = (override_reason is not null))
);
comment on table eva.venture_cadence is
  'Per-venture cadence (spec §4 Layer 3): ops cycle (Stages 24-25), health check and Chairman summary intervals by risk band; source health (follows the health band) or chairman (an override).';
comment on column eva.venture_cadence.risk_band is
  'high (new, unknown, critical or fragile health: weekly ops, daily checks), moderate (viable: bi-weekly ops, checks every 3 days), stable (strong: monthly ops, weekly checks).';
comment on column eva.venture_cadence.next_health_check_at is 'When the portfolio health scan next examines this venture (scheduler time).';
comment on column eva.venture_cadence.last_health_basis is
  'What the last health check read: stage25_review (the latest Stage 25 review''s measured-data assessment) or unknown (nothing known).';
create index venture_cadence_next_check_idx on eva.venture_cadence (next_health_check_at);

insert into eva_private.settings (key, value, description) values
  ('scheduler.clock_offset', '"0 seconds"',
   'Added to now() by eva.fn_scheduler_now(): tests and operators move the scheduler''s clock (eva schedule clock --advance 7d).'),
  ('scheduler.dlq_alert_depth', '10', 'The DLQ depth above which the weekly check opens an alert.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key in ('scheduler.clock_offset', 'scheduler.dlq_alert_depth');
drop table eva.venture_cadence;
drop index eva.venture_stage_work_due_idx;
alter table eva.venture_stage_work drop column due_at;
-- (the enum value 'scheduled' stays: PostgreSQL cannot drop an enum value)
