-- Up Migration

-- Task contracts (spec §3 "Task Contract System"): every unit of service work
-- (a stage analysis, its Devil's Advocate review, a saga step, a publisher
-- call) runs under one row of eva.agent_task_contracts, moved through its
-- lifecycle by eva_private.fn_contract_transition only. These columns say
-- what the work is, which attempt, when it times out and how it last failed.
alter table eva.agent_task_contracts
  add column kind text not null default 'service'
    check (kind in ('stage_analysis', 'devils_advocate', 'saga_step', 'publisher_call', 'service')),
  add column stage_work_id uuid references eva.venture_stage_work (id),
  add column saga_id uuid references eva.eva_sagas (id),
  add column saga_step text,
  add column parent_contract_id uuid references eva.agent_task_contracts (id),
  add column attempt int not null default 1 check (attempt >= 1),
  add column max_attempts int not null default 3 check (max_attempts >= 1),
  add column assigned_at timestamptz,
  add column timeout_at timestamptz,
  add column last_error text,
  add column circuits text[] not null default '{}',
  add column deferred_until timestamptz,
  add constraint agent_task_contracts_stage_work_check check (kind <> 'stage_analysis' or stage_work_id is not null),
  add constraint agent_task_contracts_saga_step_check check (kind <> 'saga_step' or saga_id is not null);
comment on column eva.agent_task_contracts.kind is
  'What the work is: stage_analysis (a stage run), devils_advocate (its review, a child contract), saga_step, publisher_call, service.';
comment on column eva.agent_task_contracts.attempt is 'Which attempt of the work this contract is (a stage run: the work row''s attempts).';
comment on column eva.agent_task_contracts.max_attempts is
  'After a timeout at this attempt the work is retried while attempt < max_attempts, else escalated to the Chairman.';
comment on column eva.agent_task_contracts.timeout_at is
  'When an assigned or in-progress contract times out (scheduler time: claimed at eva.fn_scheduler_now() + timeout).';
comment on column eva.agent_task_contracts.circuits is
  'The circuit breakers the work''s external calls pass through: service names of the venture (llm) and providers (provider:<host>).';
comment on column eva.agent_task_contracts.deferred_until is
  'A pending contract whose circuit was open: when the circuit half-opens (breaker time, eva.fn_circuit_now()).';
-- One stage-analysis contract per work row and attempt (a retried begin reuses it).
create unique index agent_task_contracts_stage_attempt_idx on eva.agent_task_contracts (stage_work_id, attempt)
  where kind = 'stage_analysis';
create index agent_task_contracts_work_idx on eva.agent_task_contracts (stage_work_id) where stage_work_id is not null;
create index agent_task_contracts_parent_idx on eva.agent_task_contracts (parent_contract_id) where parent_contract_id is not null;
create index agent_task_contracts_timeout_idx on eva.agent_task_contracts (timeout_at)
  where status in ('assigned', 'in_progress');
create index agent_task_contracts_deferred_idx on eva.agent_task_contracts (deferred_until)
  where status = 'pending' and deferred_until is not null;

-- Circuit breakers (spec §3 "Circuit Breaker") per venture AND per external
-- provider: a venture's breaker is (venture_id, service) as before, e.g.
-- (LedgerLoop, 'llm'); a provider's breaker has no venture and a service
-- named 'provider:<host>', e.g. (null, 'provider:api.openai.com'), shared by
-- every venture calling that host. Unique over both, nulls not distinct.
alter table eva.venture_circuit_breakers drop constraint venture_circuit_breakers_pkey;
alter table eva.venture_circuit_breakers
  alter column venture_id drop not null,
  add column id uuid not null default gen_random_uuid() primary key,
  add column trial_started_at timestamptz,
  add column trial_contract_id uuid,
  add column last_failure_at timestamptz,
  add column last_success_at timestamptz,
  add column times_opened int not null default 0 check (times_opened >= 0),
  add constraint venture_circuit_breakers_scope_check check ((venture_id is null) = (service like 'provider:%')),
  add constraint venture_circuit_breakers_trial_check check (state = 'half_open' or trial_started_at is null);
create unique index venture_circuit_breakers_scope_idx on eva.venture_circuit_breakers (venture_id, service) nulls not distinct;
comment on table eva.venture_circuit_breakers is
  'Circuit breakers (spec §3) per venture (venture_id, service llm) and per provider (no venture, service provider:<host>): open after failure_threshold consecutive failures, half-open after cooldown (breaker time, eva.fn_circuit_now()) with one trial call at a time.';
comment on column eva.venture_circuit_breakers.trial_started_at is
  'Half-open: when the one trial call was granted (a trial unanswered for a cooldown is granted again).';

insert into eva_private.settings (key, value, description) values
  ('circuit.clock_offset', '"0 seconds"',
   'Added to the scheduler''s time by eva.fn_circuit_now(): tests and operators move the breakers'' clock alone (eva.fn_set_circuit_clock).')
on conflict (key) do nothing;

-- The stage-run functions gain the contract and the circuits (new signatures; the old ones go).
drop function if exists eva.fn_begin_stage_run(uuid);
drop function if exists eva.fn_record_stage_result(uuid, jsonb, jsonb, jsonb, jsonb);
drop function if exists eva.fn_block_stage_work(uuid, text, text, jsonb);

-- Down Migration
drop function if exists eva.fn_begin_stage_run(uuid, text[], text);
drop function if exists eva.fn_record_stage_result(uuid, jsonb, jsonb, jsonb, jsonb, uuid);
drop function if exists eva.fn_block_stage_work(uuid, text, text, jsonb, uuid);
delete from eva_private.settings where key = 'circuit.clock_offset';
drop index eva.venture_circuit_breakers_scope_idx;
delete from eva.venture_circuit_breakers where venture_id is null;
alter table eva.venture_circuit_breakers
  drop constraint venture_circuit_breakers_scope_check,
  drop constraint venture_circuit_breakers_trial_check,
  drop column times_opened, drop column last_success_at, drop column last_failure_at,
  drop column trial_contract_id, drop column trial_started_at, drop column id,
  alter column venture_id set not null,
  add primary key (venture_id, service);
drop index eva.agent_task_contracts_deferred_idx, eva.agent_task_contracts_timeout_idx,
  eva.agent_task_contracts_parent_idx, eva.agent_task_contracts_work_idx, eva.agent_task_contracts_stage_attempt_idx;
alter table eva.agent_task_contracts
  drop constraint agent_task_contracts_saga_step_check, drop constraint agent_task_contracts_stage_work_check,
  drop column deferred_until, drop column circuits, drop column last_error, drop column timeout_at,
  drop column assigned_at, drop column max_attempts, drop column attempt, drop column parent_contract_id,
  drop column saga_step, drop column saga_id, drop column stage_work_id, drop column kind;
