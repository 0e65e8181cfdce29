-- The dependency graph (spec §11, Decision #32): one row per edge between
-- ventures, both ends named and staged. An edge is on the critical path when
-- it can hold the dependent venture up now: hard, still pending, and the
-- provider has not yet reached the required stage.
create or replace view eva.dependency_graph with (security_invoker = true) as
select
  d.id as dependency_id,
  d.dependent_venture_id,
  dv.name as dependent_name,
  dv.current_lifecycle_stage as dependent_stage,
  d.provider_venture_id,
  pv.name as provider_name,
  pv.current_lifecycle_stage as provider_stage,
  d.required_stage,
  d.dependency_type,
  d.status,
  (d.dependency_type = 'hard' and d.status = 'pending' and pv.current_lifecycle_stage < d.required_stage) as on_critical_path,
  greatest(d.required_stage - pv.current_lifecycle_stage, 0) as stages_behind,
  d.created_at,
  d.resolved_at
from eva.venture_dependencies d
join eva.ventures dv on dv.id = d.dependent_venture_id
join eva.ventures pv on pv.id = d.provider_venture_id;

comment on view eva.dependency_graph is
  E'Edges between ventures (dependent waits for provider to reach required_stage), with the critical path marked.';
comment on column eva.dependency_graph.dependency_id is 'The dependency (eva.venture_dependencies.id).';
comment on column eva.dependency_graph.dependent_venture_id is 'The venture that waits.';
comment on column eva.dependency_graph.dependent_name is 'The waiting venture''s name.';
comment on column eva.dependency_graph.dependent_stage is 'The stage the waiting venture is in.';
comment on column eva.dependency_graph.provider_venture_id is 'The venture waited on.';
comment on column eva.dependency_graph.provider_name is 'The provider''s name.';
comment on column eva.dependency_graph.provider_stage is 'The stage the provider is in.';
comment on column eva.dependency_graph.required_stage is 'The stage the provider must reach.';
comment on column eva.dependency_graph.dependency_type is 'hard (blocks the dependent) or soft (warns).';
comment on column eva.dependency_graph.status is 'pending, met or broken.';
comment on column eva.dependency_graph.on_critical_path is 'True for a hard, pending dependency whose provider is still before the required stage.';
comment on column eva.dependency_graph.stages_behind is 'How many stages the provider is short of the required stage (0 when reached).';
comment on column eva.dependency_graph.created_at is 'When the dependency was declared.';
comment on column eva.dependency_graph.resolved_at is 'When it was met or broken.';

grant select on eva.dependency_graph to eva_chairman, eva_service, eva_viewer;
