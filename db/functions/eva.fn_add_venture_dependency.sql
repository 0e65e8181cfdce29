-- The Chairman declares that one venture waits on another (spec §5, Decision
-- #32): the dependent's stage work may not be dispatched (hard) or runs with
-- a warning (soft) until the provider reaches the required stage. One
-- dependency per pair: declaring it again changes its stage and kind. Bad
-- input writes nothing: a stage outside 1-25 or a self-dependency (EV400),
-- an unknown venture (EV404), an ended venture or a cycle (EV409, the cycle
-- named). What follows (blocking, release, events, re-ranking) is the
-- dependency table's triggers' work, so every writer gets it.
create or replace function eva.fn_add_venture_dependency(
  p_dependent_venture_id uuid,
  p_provider_venture_id uuid,
  p_required_stage int,
  p_dependency_type eva.dependency_type default 'hard'
)
returns eva.venture_dependencies
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dependent eva.ventures;
  v_provider eva.ventures;
  v_cycle text;
  v_row eva.venture_dependencies;
begin
  if p_required_stage is null or p_required_stage not between 1 and 25 then
    raise exception 'required stage must be a stage from 1 to 25, not %', coalesce(p_required_stage::text, 'null')
      using errcode = 'EV400';
  end if;
  if p_dependency_type is null then
    raise exception 'dependency type must be hard or soft' using errcode = 'EV400';
  end if;
  if p_dependent_venture_id = p_provider_venture_id then
    raise exception 'a venture cannot depend on itself: the provider is the dependent venture (%)', p_provider_venture_id
      using errcode = 'EV400';
  end if;
  -- One writer at a time: two declarations checked for cycles side by side could close one together.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('eva.venture_dependencies'));
  select * into v_dependent from eva.ventures where id = p_dependent_venture_id;
  if not found then
    raise exception 'dependent venture % does not exist', coalesce(p_dependent_venture_id::text, 'null') using errcode = 'EV404';
  end if;
  select * into v_provider from eva.ventures where id = p_provider_venture_id;
  if not found then
    raise exception 'provider venture % does not exist', coalesce(p_provider_venture_id::text, 'null') using errcode = 'EV404';
  end if;
  if v_dependent.status in ('killed', 'sunset', 'exited') then
    raise exception 'dependent venture "%" is %: it has no work left to hold', v_dependent.name, v_dependent.status
      using errcode = 'EV409';
  end if;
  if v_provider.status in ('killed', 'sunset', 'exited') and v_provider.current_lifecycle_stage < p_required_stage then
    raise exception 'provider venture "%" is % at stage %: it will never reach stage %', v_provider.name, v_provider.status,
      v_provider.current_lifecycle_stage, p_required_stage
      using errcode = 'EV409';
  end if;

  -- A cycle: the provider already waits, directly or through others, on the dependent.
  with recursive walk (venture_id, path) as (
    select p_provider_venture_id, array[p_provider_venture_id]
    union all
    select d.provider_venture_id, w.path || d.provider_venture_id
    from walk w
    join eva.venture_dependencies d on d.dependent_venture_id = w.venture_id and d.status = 'pending'
    where not d.provider_venture_id = any(w.path)
  )
  select pg_catalog.string_agg('"' || v.name || '"', ' → ' order by s.ord) into v_cycle
  from (select w.path from walk w where w.venture_id = p_dependent_venture_id limit 1) c
  cross join lateral pg_catalog.unnest(array[p_dependent_venture_id] || c.path) with ordinality s (venture_id, ord)
  join eva.ventures v on v.id = s.venture_id;
  if v_cycle is not null then
    raise exception 'dependency cycle: % (each waits on the next); remove one of them first', v_cycle
      using errcode = 'EV409', hint = 'npx eva ventures undepend <dependent> --on <provider>';
  end if;

  update eva.venture_dependencies d
  set required_stage = p_required_stage, dependency_type = p_dependency_type, status = 'pending'
  where d.dependent_venture_id = p_dependent_venture_id and d.provider_venture_id = p_provider_venture_id
  returning * into v_row;
  if not found then
    insert into eva.venture_dependencies (dependent_venture_id, provider_venture_id, required_stage, dependency_type)
    values (p_dependent_venture_id, p_provider_venture_id, p_required_stage, p_dependency_type)
    returning * into v_row;
  end if;
  return v_row;
end;
$$;
comment on function eva.fn_add_venture_dependency(uuid, uuid, int, eva.dependency_type) is
  E'Declares that the dependent venture waits until the provider reaches the required stage (1-25): hard blocks the dependent''s stage work (blocked, reason naming the provider), soft warns (dependency.warning events). '
  'Met at once when the provider is already there; declaring a pair again changes it. Refuses self-dependency and a stage outside 1-25 (EV400), unknown ventures (EV404), ended ventures and cycles (EV409).';
grant execute on function eva.fn_add_venture_dependency(uuid, uuid, int, eva.dependency_type) to eva_chairman;
