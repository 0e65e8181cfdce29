-- Up Migration

-- A hard inter-venture dependency (spec §5, Decision #32) holds the
-- dependent's stage work as blocked; this flag says the block is a
-- dependency's (and so is released by the database when the provider
-- arrives), not a contract's or a budget's (released by a person or a retry).
alter table eva.venture_stage_work
  add column blocked_on_dependency boolean not null default false,
  add constraint venture_stage_work_dependency_block_is_blocked check (not blocked_on_dependency or status = 'blocked');
comment on column eva.venture_stage_work.blocked_on_dependency is
  'True while the row is blocked by an unmet hard inter-venture dependency (blocked_reason names the provider); released when the provider reaches the required stage.';

-- Which ventures wait on a given one (the release on the provider's stage change).
create index venture_dependencies_pending_provider_idx on eva.venture_dependencies (provider_venture_id, required_stage)
  where status = 'pending';

-- Down Migration
drop index eva.venture_dependencies_pending_provider_idx;
alter table eva.venture_stage_work drop constraint venture_stage_work_dependency_block_is_blocked,
  drop column blocked_on_dependency;
