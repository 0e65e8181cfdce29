-- The priority score's inputs (spec §10) come from the venture's own stage
-- artifacts, whichever path recorded them: each new current version of these
-- artifacts writes the venture's columns (eva.fn_venture_priority reads them).
--   projected_revenue, a yearly figure in the model's currency:
--     Stage 5 financial_model         -> projections.revenue[2], the year-3 revenue
--     Stage 16 financial_projections  -> pnl.revenue * 12 / Σ phases[].durationMonths,
--                                        the roadmap's revenue as a yearly rate
--   health_score / health_status:
--     Stage 25 venture_review         -> ventureHealth.overall / 100 (0..1) and
--                                        ventureHealth.band (critical < 40 ≤ fragile
--                                        < 60 ≤ viable < 80 ≤ strong)
-- A figure that is missing or not a number leaves the column as it was; a
-- rejected version writes nothing. The latest recorded figure wins (Stage 16
-- after Stage 5; each ops cycle's review after the last).
create or replace function eva_private.tg_venture_artifact_priority_inputs()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c jsonb := new.content;
  v_revenue numeric;
  v_months numeric;
  v_overall numeric;
  v_band text;
begin
  if not new.is_current or new.validation_status = 'rejected' then
    return null;
  end if;
  if new.artifact_type = 'financial_model' then
    if pg_catalog.jsonb_typeof(c #> '{projections,revenue,2}') = 'number' then
      v_revenue := (c #>> '{projections,revenue,2}')::numeric;
    end if;
  elsif new.artifact_type = 'financial_projections' then
    if pg_catalog.jsonb_typeof(c #> '{pnl,revenue}') = 'number' and pg_catalog.jsonb_typeof(c -> 'phases') = 'array' then
      select pg_catalog.sum((p ->> 'durationMonths')::numeric) into v_months
      from pg_catalog.jsonb_array_elements(c -> 'phases') p
      where pg_catalog.jsonb_typeof(p -> 'durationMonths') = 'number';
      if v_months > 0 then
        v_revenue := pg_catalog.round((c #>> '{pnl,revenue}')::numeric * 12 / v_months, 2);
      end if;
    end if;
  elsif new.artifact_type = 'venture_review' then
    if pg_catalog.jsonb_typeof(c #> '{ventureHealth,overall}') = 'number' then
      v_overall := least(greatest((c #>> '{ventureHealth,overall}')::numeric, 0), 100);
      v_band := c #>> '{ventureHealth,band}';
      update eva.ventures
      set health_score = pg_catalog.round(v_overall / 100, 4),
          health_status = coalesce(v_band, case when v_overall < 40 then 'critical' when v_overall < 60 then 'fragile'
                                                when v_overall < 80 then 'viable' else 'strong' end)
      where id = new.venture_id;
    end if;
    return null;
  end if;
  if v_revenue is not null and v_revenue >= 0 then
    update eva.ventures set projected_revenue = v_revenue
    where id = new.venture_id and projected_revenue is distinct from v_revenue;
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_venture_artifact_priority_inputs() is
  'Trigger: a new current financial_model (Stage 5: year-3 revenue) or financial_projections (Stage 16: roadmap revenue as a yearly rate) writes ventures.projected_revenue; a venture_review (Stage 25) writes health_score (ventureHealth.overall / 100) and health_status (ventureHealth.band). The priority score reads them.';

create or replace trigger _810_priority_inputs after insert on eva.venture_artifacts
  for each row when (new.artifact_type in ('financial_model', 'financial_projections', 'venture_review'))
  execute function eva_private.tg_venture_artifact_priority_inputs();
