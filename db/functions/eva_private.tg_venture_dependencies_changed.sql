-- A dependency whose provider already stands at (or past) the required stage
-- is met when written, whoever writes it.
create or replace function eva_private.tg_venture_dependencies_met_on_write()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.status = 'pending' then
    new.resolved_at := null;
    if exists (select 1 from eva.ventures p
               where p.id = new.provider_venture_id and p.current_lifecycle_stage >= new.required_stage) then
      new.status := 'met';
      new.resolved_at := pg_catalog.now();
    end if;
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_venture_dependencies_met_on_write() is
  'Trigger: a pending dependency whose provider has already reached the required stage is written as met.';

create or replace trigger _300_met_on_write before insert or update on eva.venture_dependencies
  for each row execute function eva_private.tg_venture_dependencies_met_on_write();

-- Every change of a dependency leaves an event on the dependent venture
-- (dependency.added, .changed, .met, .broken, .removed; a soft one still
-- pending also dependency.warning) and re-applies the dependent's holds in
-- the same transaction: a hard dependency declared blocks the dependent's
-- ready work before a worker can take it (a state invariant), and one met or
-- broken by the dependency-reevaluation subscription releases or re-holds it
-- in that delivery's transaction. The provider's queued work is re-ranked
-- from its venture.priority_changed event (its downstream term, spec §10).
create or replace function eva_private.tg_venture_dependencies_changed()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  d eva.venture_dependencies := case when tg_op = 'DELETE' then old else new end;
  p eva.ventures;
  v_dependent eva.ventures;
  v_event text;
begin
  select * into p from eva.ventures where id = d.provider_venture_id;
  select * into v_dependent from eva.ventures where id = d.dependent_venture_id;
  v_event := case
    when tg_op = 'INSERT' then 'dependency.added'
    when tg_op = 'DELETE' then 'dependency.removed'
    when new.status is distinct from old.status and new.status in ('met', 'broken') then 'dependency.' || new.status::text
    else 'dependency.changed' end;
  perform eva_private.fn_log_event(v_event, d.dependent_venture_id, pg_catalog.jsonb_build_object(
    'dependency_id', d.id, 'provider_id', p.id, 'provider', p.name, 'required_stage', d.required_stage,
    'dependency_type', d.dependency_type, 'status', d.status, 'provider_stage', p.current_lifecycle_stage,
    'provider_status', p.status)
    -- Broken by whichever side ended: the provider (it will not get there) or the dependent (it waits no more).
    || case when v_event <> 'dependency.broken' then '{}'::jsonb
         when v_dependent.status in ('killed', 'sunset', 'exited') then pg_catalog.jsonb_build_object('reason',
           pg_catalog.format('"%s" is %s: it no longer waits on "%s"', v_dependent.name, v_dependent.status, p.name))
         else pg_catalog.jsonb_build_object('reason',
           pg_catalog.format('"%s" is %s at stage %s: it will not reach stage %s', p.name, p.status,
             p.current_lifecycle_stage, d.required_stage)) end);
  if tg_op <> 'DELETE' and d.dependency_type = 'soft' and d.status = 'pending'
     and (tg_op = 'INSERT' or old.status is distinct from new.status or old.dependency_type is distinct from new.dependency_type
          or old.required_stage is distinct from new.required_stage) then
    perform eva_private.fn_log_event('dependency.warning', d.dependent_venture_id, pg_catalog.jsonb_build_object(
      'dependency_id', d.id, 'provider_id', p.id, 'provider', p.name, 'required_stage', d.required_stage,
      'provider_stage', p.current_lifecycle_stage,
      'message', pg_catalog.format('"%s" has not reached stage %s yet (soft dependency: the work runs, this is a warning)',
        p.name, d.required_stage)));
  end if;
  perform eva_private.fn_apply_dependency_holds(d.dependent_venture_id);
  return null;
end;
$$;
comment on function eva_private.tg_venture_dependencies_changed() is
  'Trigger: logs a dependency.* event on the dependent and re-applies its holds.';

create or replace trigger _700_changed after insert or update or delete on eva.venture_dependencies
  for each row execute function eva_private.tg_venture_dependencies_changed();
