-- The DFE's verdict on a metric anomaly, recorded once: auto_proceed logs
-- metric.auto_proceeded (the daily digest tells the Chairman); escalate opens a
-- dfe_escalation decision with the anomaly as its context (immediate). A
-- repeated job finds the anomaly resolved and changes nothing.
create or replace function eva.fn_resolve_metric_anomaly(p_anomaly_id uuid, p_resolution text, p_dfe jsonb)
returns eva.metric_anomalies
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_a eva.metric_anomalies;
  v_venture eva.ventures;
  v_decision uuid;
begin
  if p_resolution is null or p_resolution not in ('auto_proceed', 'escalate') then
    raise exception 'an anomaly is resolved by auto_proceed or escalate, not %', coalesce(p_resolution, 'null')
      using errcode = 'EV400';
  end if;
  if p_dfe is null or pg_catalog.jsonb_typeof(p_dfe) <> 'object' then
    raise exception 'the DFE''s evaluation (p_dfe) must be a JSON object' using errcode = 'EV400';
  end if;
  select * into v_a from eva.metric_anomalies where id = p_anomaly_id for update;
  if not found then
    raise exception 'there is no metric anomaly %', coalesce(p_anomaly_id::text, 'null') using errcode = 'EV404';
  end if;
  if v_a.resolution is not null then
    return v_a;
  end if;
  select * into v_venture from eva.ventures where id = v_a.venture_id;

  perform eva_private.fn_log_event('dfe.evaluated', v_a.venture_id, pg_catalog.jsonb_build_object(
    'anomaly_id', v_a.id, 'metric', v_a.metric_name, 'resolution', p_resolution, 'dfe', p_dfe));
  if p_resolution = 'escalate' then
    insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, blocking, context)
    values (v_a.venture_id, v_venture.current_lifecycle_stage, 'dfe_escalation', 'proceed', true,
      pg_catalog.jsonb_build_object('kind', 'metric_anomaly', 'anomaly', pg_catalog.to_jsonb(v_a) - 'dfe', 'dfe', p_dfe,
        'reason', pg_catalog.format('%s was %s against a trailing median of %s', v_a.metric_name, v_a.value, v_a.median)))
    returning id into v_decision;
  else
    perform eva_private.fn_log_event('metric.auto_proceeded', v_a.venture_id, pg_catalog.jsonb_build_object(
      'anomaly_id', v_a.id, 'metric', v_a.metric_name, 'value', v_a.value, 'median', v_a.median,
      'robust_z', v_a.robust_z, 'dfe', p_dfe));
  end if;
  update eva.metric_anomalies
  set resolution = p_resolution, dfe = p_dfe, decision_id = v_decision, resolved_at = pg_catalog.now()
  where id = v_a.id
  returning * into v_a;
  return v_a;
end;
$$;
comment on function eva.fn_resolve_metric_anomaly(uuid, text, jsonb) is
  'Records the DFE''s resolution of a metric anomaly once: auto_proceed (event metric.auto_proceeded) or escalate (a dfe_escalation decision with the anomaly as context).';
grant execute on function eva.fn_resolve_metric_anomaly(uuid, text, jsonb) to eva_service;
