-- The decisions the Chairman may make on one decision, each with what it does
-- to this venture (eva_private.fn_apply_decision's effects, from
-- eva.chairman_decision_options) and whether EVA recommends it: the buttons
-- of the dashboard and the allowed values of `decide`, for every client.
create or replace function eva.chairman_decisions_choices(d eva.chairman_decisions)
returns setof eva.decision_choice
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select o.decision, o.outcome,
    case when d.context ->> 'kind' = 'metric_anomaly'
      then 'Acknowledge the metric anomaly as "' || o.decision || '"; no stage waits on it.'
      else pg_catalog.replace(o.description, 'this stage', 'Stage ' || d.lifecycle_stage) end,
    o.decision = d.recommended_action
  from eva.chairman_decision_options o
  where o.decision_type = d.decision_type
  order by o.decision = d.recommended_action desc,
    pg_catalog.array_position(array['approval', 'override', 'rejection'], o.outcome), o.decision
$$;
comment on function eva.chairman_decisions_choices(eva.chairman_decisions) is
  'The decisions allowed on this decision (pass one to decide), recommended first, each with what it does to the venture.';
grant execute on function eva.chairman_decisions_choices(eva.chairman_decisions) to eva_chairman, eva_service;
