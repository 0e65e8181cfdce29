-- The one writer of eva.venture_metrics (the CLI's `eva metrics record` and
-- `import`, GraphQL's recordVentureMetrics, later the marketing ingest): every
-- row is checked before any is written, and each bad row is named (its
-- position, its field, why), so a batch is recorded whole or not at all.
create or replace function eva.fn_record_venture_metrics(p_venture uuid, p_metrics jsonb)
returns setof eva.venture_metrics
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_criteria text[];
  v_row jsonb;
  v_i int := 0;
  v_label text;
  v_errors text[] := '{}';
  v_rows jsonb := '[]'::jsonb;
  v_name text;
  v_category eva.aarrr_category;
  v_value numeric;
  v_at timestamptz;
  v_source text;
  v_source_ref text;
  v_criterion text;
  v_known eva.aarrr_category;
  v_seen text[] := '{}';
  v_key text;
  v_batch uuid := pg_catalog.gen_random_uuid();
  v_recorded eva.venture_metrics[] := '{}';
  v_one eva.venture_metrics;
  v_conflict text;
  v_bad int := 0;
  v_before int;
begin
  select * into v_venture from eva.ventures where id = p_venture;
  if not found then
    raise exception 'venture % does not exist', coalesce(p_venture::text, 'null') using errcode = 'EV404';
  end if;
  if p_metrics is null or pg_catalog.jsonb_typeof(p_metrics) <> 'array' then
    raise exception 'metrics must be a JSON array of objects (category, name, value, observedAt, source, sourceRef, criterionRef), not %',
      coalesce(pg_catalog.jsonb_typeof(p_metrics), 'null') using errcode = 'EV400';
  end if;
  if pg_catalog.jsonb_array_length(p_metrics) = 0 then
    raise exception 'no metrics given: nothing recorded' using errcode = 'EV400';
  end if;

  -- The Stage 23 success criteria a metric may reference (the current launch plan's).
  select coalesce(pg_catalog.array_agg(c ->> 'metric'), '{}') into v_criteria
  from eva.venture_artifacts a, pg_catalog.jsonb_array_elements(
    case when pg_catalog.jsonb_typeof(a.content -> 'successCriteria') = 'array' then a.content -> 'successCriteria' else '[]'::jsonb end) c
  where a.venture_id = p_venture and a.artifact_type = 'launch_plan' and a.is_current;

  for v_row in select * from pg_catalog.jsonb_array_elements(p_metrics) loop
    v_i := v_i + 1;
    v_before := pg_catalog.cardinality(v_errors);
    if pg_catalog.jsonb_typeof(v_row) <> 'object' then
      v_errors := v_errors || pg_catalog.format('row %s: must be an object, not %s', v_i, pg_catalog.jsonb_typeof(v_row));
      v_bad := v_bad + 1;
      continue;
    end if;
    v_name := pg_catalog.btrim(case when pg_catalog.jsonb_typeof(v_row -> 'name') = 'string' then v_row ->> 'name' end);
    v_label := case when v_name is null or v_name = '' then pg_catalog.format('row %s', v_i)
                    else pg_catalog.format('row %s (%s)', v_i, pg_catalog.to_json(v_name)) end;

    for v_key in select k from pg_catalog.jsonb_object_keys(v_row) k
      where k not in ('category', 'name', 'value', 'observedAt', 'source', 'sourceRef', 'criterionRef') loop
      v_errors := v_errors || pg_catalog.format('%s: unknown field "%s" (fields: category, name, value, observedAt, source, sourceRef, criterionRef)', v_label, v_key);
    end loop;

    if v_name is null or v_name = '' or pg_catalog.char_length(v_name) > 200 then
      v_errors := v_errors || pg_catalog.format('%s: name is required, 1-200 characters of text', v_label);
    end if;

    v_category := null;
    if pg_catalog.jsonb_typeof(v_row -> 'category') = 'string'
       and (v_row ->> 'category') = any (pg_catalog.enum_range(null::eva.aarrr_category)::text[]) then
      v_category := (v_row ->> 'category')::eva.aarrr_category;
    else
      v_errors := v_errors || pg_catalog.format('%s: category must be acquisition, activation, retention, revenue or referral, not %s',
        v_label, coalesce((v_row -> 'category')::text, 'missing'));
    end if;

    v_value := null;
    if pg_catalog.jsonb_typeof(v_row -> 'value') = 'number' then
      v_value := (v_row ->> 'value')::numeric;
    else
      v_errors := v_errors || pg_catalog.format('%s: value must be a number, not %s', v_label,
        coalesce((v_row -> 'value')::text, 'missing'));
    end if;

    v_at := pg_catalog.now();
    if v_row ? 'observedAt' and pg_catalog.jsonb_typeof(v_row -> 'observedAt') <> 'null' then
      begin
        if pg_catalog.jsonb_typeof(v_row -> 'observedAt') <> 'string' then
          raise exception using errcode = '22007';
        end if;
        v_at := (v_row ->> 'observedAt')::timestamptz;
        if v_at > pg_catalog.now() + interval '5 minutes' then
          v_errors := v_errors || pg_catalog.format('%s: observedAt %s is in the future: record what was observed', v_label,
            v_row ->> 'observedAt');
        end if;
      exception when others then
        v_errors := v_errors || pg_catalog.format('%s: observedAt must be a date and time (ISO 8601, e.g. 2026-11-30T09:00:00Z), not %s',
          v_label, (v_row -> 'observedAt')::text);
      end;
    end if;

    v_source := pg_catalog.btrim(case when pg_catalog.jsonb_typeof(v_row -> 'source') = 'string' then v_row ->> 'source' end);
    if v_source is null or v_source = '' or pg_catalog.char_length(v_source) > 500 then
      v_errors := v_errors || pg_catalog.format('%s: source is required (where the value comes from, 1-500 characters)', v_label);
    end if;

    v_source_ref := null;
    if v_row ? 'sourceRef' and pg_catalog.jsonb_typeof(v_row -> 'sourceRef') <> 'null' then
      if pg_catalog.jsonb_typeof(v_row -> 'sourceRef') <> 'string' or pg_catalog.btrim(v_row ->> 'sourceRef') = ''
         or pg_catalog.char_length(v_row ->> 'sourceRef') > 500 then
        v_errors := v_errors || pg_catalog.format('%s: sourceRef must be text of 1-500 characters, not %s', v_label,
          (v_row -> 'sourceRef')::text);
      else
        v_source_ref := v_row ->> 'sourceRef';
      end if;
    end if;

    v_criterion := null;
    if v_row ? 'criterionRef' and pg_catalog.jsonb_typeof(v_row -> 'criterionRef') <> 'null' then
      select c into v_criterion from pg_catalog.unnest(v_criteria) c
      where pg_catalog.lower(pg_catalog.btrim(c)) = pg_catalog.lower(pg_catalog.btrim(v_row ->> 'criterionRef'))
        and pg_catalog.jsonb_typeof(v_row -> 'criterionRef') = 'string'
      limit 1;
      if v_criterion is null then
        v_errors := v_errors || case when pg_catalog.cardinality(v_criteria) = 0
          then pg_catalog.format('%s: criterionRef %s names no Stage 23 success criterion: the venture has no launch plan yet', v_label,
            (v_row -> 'criterionRef')::text)
          else pg_catalog.format('%s: criterionRef %s names no Stage 23 success criterion (they are: %s)', v_label,
            (v_row -> 'criterionRef')::text, pg_catalog.array_to_string(v_criteria, ', ')) end;
      end if;
    end if;

    if v_name is not null and v_name <> '' then
      -- A metric is one series: it keeps the category it was first recorded under.
      if v_category is not null then
        select m.category into v_known from eva.venture_metrics m
        where m.venture_id = p_venture and pg_catalog.lower(m.metric_name) = pg_catalog.lower(v_name)
        order by m.id limit 1;
        if found and v_known <> v_category then
          v_errors := v_errors || pg_catalog.format('%s: category %s, but this venture records "%s" as %s', v_label,
            v_category, v_name, v_known);
        end if;
      end if;
      v_key := pg_catalog.lower(v_name) || '|' || v_at::text;
      if v_key = any (v_seen) then
        v_errors := v_errors || pg_catalog.format('%s: the same metric observed at the same time appears twice in this batch', v_label);
      end if;
      v_seen := v_seen || v_key;
    end if;

    if pg_catalog.cardinality(v_errors) > v_before then
      v_bad := v_bad + 1;
    end if;
    v_rows := v_rows || pg_catalog.jsonb_build_object('category', v_category, 'name', v_name, 'value', v_value,
      'observedAt', v_at, 'source', v_source, 'sourceRef', v_source_ref, 'criterionRef', v_criterion);
  end loop;

  if pg_catalog.cardinality(v_errors) > 0 then
    raise exception '% of % metric rows refused, nothing recorded: %', v_bad, v_i, pg_catalog.array_to_string(v_errors[1:20], '; ')
        || case when pg_catalog.cardinality(v_errors) > 20
             then pg_catalog.format('; and %s more', pg_catalog.cardinality(v_errors) - 20) else '' end
      using errcode = 'EV400';
  end if;

  -- An ingest's observation is recorded once: a source's own id already on record is refused.
  select pg_catalog.string_agg(pg_catalog.format('row %s (%s, %s)', x.ord, x.r ->> 'source', x.r ->> 'sourceRef'), ', ')
  into v_conflict
  from pg_catalog.jsonb_array_elements(v_rows) with ordinality x(r, ord)
  where x.r ->> 'sourceRef' is not null
    and (exists (select 1 from eva.venture_metrics m where m.venture_id = p_venture and m.source = x.r ->> 'source'
                   and m.source_ref = x.r ->> 'sourceRef')
         or (select pg_catalog.count(*) from pg_catalog.jsonb_array_elements(v_rows) y(r)
             where y.r ->> 'source' = x.r ->> 'source' and y.r ->> 'sourceRef' = x.r ->> 'sourceRef') > 1);
  if v_conflict is not null then
    raise exception 'already recorded (same source and sourceRef), nothing recorded: %', v_conflict using errcode = 'EV409';
  end if;

  for v_row in select * from pg_catalog.jsonb_array_elements(v_rows) loop
    insert into eva.venture_metrics (venture_id, category, metric_name, value, observed_at, source, source_ref,
      criterion_ref, batch_id, recorded_by)
    values (p_venture, (v_row ->> 'category')::eva.aarrr_category, v_row ->> 'name', (v_row ->> 'value')::numeric,
      (v_row ->> 'observedAt')::timestamptz, v_row ->> 'source', v_row ->> 'sourceRef', v_row ->> 'criterionRef',
      v_batch, eva_private.fn_caller_role())
    returning * into v_one;
    v_recorded := v_recorded || v_one;
  end loop;

  perform eva_private.fn_log_event('metrics.recorded', p_venture, pg_catalog.jsonb_build_object(
    'batch_id', v_batch, 'count', pg_catalog.cardinality(v_recorded),
    'metrics', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', r.id, 'category', r.category,
      'name', r.metric_name, 'value', r.value, 'observed_at', r.observed_at, 'source', r.source) order by r.id)
      from pg_catalog.unnest(v_recorded) r)));

  return query select * from pg_catalog.unnest(v_recorded);
end;
$$;
comment on function eva.fn_record_venture_metrics(uuid, jsonb) is
  E'Records measured metrics of a venture, all or none. p_metrics is a JSON array of objects: category (acquisition, activation, retention, revenue, referral), name, value (a number), observedAt (ISO 8601; default now, never in the future), source (where the value comes from), optional sourceRef (the source''s own id; recorded once per source) and criterionRef (a Stage 23 success criterion''s metric). Every bad row is named with its field and the reason (EV400) and nothing is written; an unknown venture is EV404, a sourceRef already on record EV409. Rows are never changed: record a correction as a new row. Stage 24 reads these values as facts.';
grant execute on function eva.fn_record_venture_metrics(uuid, jsonb) to eva_chairman, eva_service;
