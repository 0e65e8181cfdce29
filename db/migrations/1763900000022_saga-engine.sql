-- Up Migration

-- One saga engine (spec §15) for the three sagas. eva.eva_sagas keeps each
-- saga's state (its ordered steps, the current one, pause reason); each step's
-- outcome is one row of eva.eva_saga_steps. Worker-driven sagas (venture
-- retirement, the bench's probe) run one graphile-worker job per (saga, step,
-- attempt); SQL-driven sagas (sd_execution, reality_gate_retry) are recorded
-- by the SQL functions that already own them, in their own transactions.
alter type eva.saga_status add value if not exists 'cancelled';
-- A 5-step no-op saga that `npm run bench -- saga` runs against DBOS; no
-- production code starts one.
alter type eva.saga_type add value if not exists 'engine_bench';

alter table eva.eva_sagas
  add column steps text[] not null default '{}',
  add column driver text not null default 'sql' check (driver in ('sql', 'worker')),
  add column step_attempts int not null default 0 check (step_attempts >= 0),
  add column next_attempt_at timestamptz,
  add column wait_until timestamptz,
  add column pause_reason text,
  add column paused_at timestamptz,
  add column last_error text;
comment on column eva.eva_sagas.steps is 'The saga''s steps in order (from its definition in src/orchestration/sagas/); current_step is one of them.';
comment on column eva.eva_sagas.driver is
  'worker: each step runs as a saga_step job (retirement, bench); sql: the SQL functions that own the saga record its steps (sd_execution, reality_gate_retry).';
comment on column eva.eva_sagas.step_attempts is 'Failed attempts of the current step since it became current or the saga was resumed (the retry budget is max_retries).';
comment on column eva.eva_sagas.wait_until is 'Scheduler time (eva.fn_scheduler_now()) the current step waits for; the saga_wake tick re-queues it then.';
comment on column eva.eva_sagas.pause_reason is 'Why the saga is paused (status paused): a failed teardown, an open circuit, the Chairman. eva sagas resume continues it.';
create index eva_sagas_worker_active_idx on eva.eva_sagas (status, wait_until) where driver = 'worker';
-- Every venture that ends gets exactly one retirement saga.
create unique index eva_sagas_one_retirement on eva.eva_sagas (venture_id) where saga_type = 'venture_retirement';

create table eva.eva_saga_steps (
  id bigint generated always as identity primary key,
  saga_id uuid not null references eva.eva_sagas (id),
  venture_id uuid not null references eva.ventures (id),
  step text not null check (char_length(step) between 1 and 100),
  status text not null check (status in ('completed', 'skipped', 'failed')),
  attempts int not null default 1 check (attempts >= 1),
  result jsonb not null default '{}',
  error text,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (saga_id, step)
);
comment on table eva.eva_saga_steps is
  'Each saga step''s outcome (spec §15): completed, skipped (with the reason in result) or failed (the last error; attempts so far). A step recorded completed or skipped is never run again.';
create index eva_saga_steps_venture_idx on eva.eva_saga_steps (venture_id, saga_id);

-- Sub-steps of a step (teardown: one per resource), each tracked so a resumed
-- step continues from the one that failed and never repeats a finished one.
create table eva.eva_saga_substeps (
  id bigint generated always as identity primary key,
  saga_id uuid not null references eva.eva_sagas (id),
  venture_id uuid not null references eva.ventures (id),
  step text not null,
  key text not null check (char_length(key) between 1 and 300),
  position int not null default 0,
  status text not null check (status in ('pending', 'completed', 'skipped', 'failed')),
  attempts int not null default 0 check (attempts >= 0),
  result jsonb not null default '{}',
  error text,
  updated_at timestamptz not null default now(),
  unique (saga_id, step, key)
);
comment on table eva.eva_saga_substeps is
  'Sub-steps of a saga step (teardown: one per infrastructure resource, in order): pending, completed, skipped (e.g. no provider) or failed, with attempts and the provider''s answer.';

-- The venture's infrastructure (spec §14 teardown): what exists, who provides
-- it, and what depends on what. Teardown goes in reverse dependency order.
create table eva.venture_infra_resources (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  kind text not null check (kind in ('db', 'storage', 'compute', 'dns', 'repo', 'queue', 'cdn', 'other')),
  name text not null check (char_length(name) between 1 and 200),
  provider text,
  provider_url text check (provider_url is null or provider_url ~ '^https?://'),
  external_id text not null check (char_length(external_id) between 1 and 300),
  depends_on text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'torn_down', 'archived', 'not_torn_down', 'failed')),
  status_detail text,
  torn_down_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (venture_id, name)
);
comment on table eva.venture_infra_resources is
  'Per-venture infrastructure inventory: kind, name, provider (its base URL in provider_url, else EVA_INFRA_API_URL), external_id, depends_on (names of resources it needs). The retirement saga tears them down in reverse dependency order: DELETE <base>/resources/<external_id>.';
comment on column eva.venture_infra_resources.depends_on is 'Names (same venture) of the resources this one depends on: they are torn down after it.';
comment on column eva.venture_infra_resources.status is
  'active; torn_down (the provider confirmed); archived (a repo the provider archived); not_torn_down (no provider configured: nothing was called); failed (the provider refused; see status_detail).';

-- What the retirement saga stored in the archive store: the data export and
-- the cold-storage records, each with its checksum, written once.
create table eva.venture_archives (
  id uuid primary key default gen_random_uuid(),
  saga_id uuid not null references eva.eva_sagas (id),
  venture_id uuid not null references eva.ventures (id),
  kind text not null check (kind in ('export', 'records')),
  key text not null,
  uri text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bigint not null check (bytes >= 0),
  details jsonb not null default '{}',
  created_at timestamptz not null default now(),
  unique (saga_id, kind)
);
comment on table eva.venture_archives is 'Archive-store files a retirement saga wrote (export: the venture''s data package; records: its records in cold storage), with SHA-256 and size.';

-- The post-mortem of each retired venture (spec §14 retrospective), beside the
-- pattern it adds to eva.portfolio_patterns (stage of death, kill reason).
create table eva.venture_retrospectives (
  saga_id uuid primary key references eva.eva_sagas (id),
  venture_id uuid not null unique references eva.ventures (id),
  stage_of_death int not null check (stage_of_death between 1 and 25),
  ended_as text not null check (ended_as in ('killed', 'sunset', 'exited')),
  kill_reason text,
  gate_signals jsonb not null default '[]',
  analysis jsonb not null,
  epistemic_classification eva.epistemic_classification not null,
  provenance jsonb not null default '{}',
  pattern_signature text not null,
  created_at timestamptz not null default now()
);
comment on table eva.venture_retrospectives is
  'Post-mortems of retired ventures written by the retirement saga: stage of death, kill reason, gate signals and the analyst''s lessons (simulation when offline); each adds a retirement pattern to eva.portfolio_patterns.';

insert into eva_private.settings (key, value, description) values
  ('saga.retry_base', '"1 second"', 'Backoff of a failed saga step: retry n waits retry_base × 2^(n-1), at most 5 minutes.'),
  ('saga.notice_days', '30', 'Notification period of a sunset venture''s users before its data goes (retirement notify_users), in days.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key in ('saga.retry_base', 'saga.notice_days');
drop table eva.venture_retrospectives, eva.venture_archives, eva.venture_infra_resources, eva.eva_saga_substeps,
  eva.eva_saga_steps;
drop index eva.eva_sagas_worker_active_idx, eva.eva_sagas_one_retirement;
alter table eva.eva_sagas drop column steps, drop column driver, drop column step_attempts, drop column next_attempt_at,
  drop column wait_until, drop column pause_reason, drop column paused_at, drop column last_error;
