-- Thompson sampling (spec §17.5): one draw from Beta(α, β) per selectable arm
-- (not retired) of an active bandit, the highest draw wins. The selection is
-- recorded with every draw and the posterior each came from, and the arm's
-- last_selected_at set, in the same transaction.
create or replace function marketing.fn_bandit_select(p_bandit_id uuid, p_purpose text default 'schedule',
  p_subject_id uuid default null)
returns marketing.bandit_selections
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bandit marketing.bandit_state;
  v_samples jsonb;
  v_best_id uuid;
  v_best_value text;
  v_row marketing.bandit_selections;
begin
  select * into v_bandit from marketing.bandit_state b where b.id = p_bandit_id;
  if not found then
    raise exception 'no bandit %', p_bandit_id using errcode = 'EV404';
  end if;
  if v_bandit.status <> 'active' then
    raise exception 'bandit % is %, not active', p_bandit_id, v_bandit.status using errcode = 'EV409';
  end if;
  with draws as (
    select a.id, a.arm_value, a.alpha, a.beta_param,
      eva_private.fn_bandit_beta_sample(a.alpha::double precision, a.beta_param::double precision) as sample
    from marketing.bandit_arms a
    where a.bandit_id = p_bandit_id and a.status <> 'retired'
  )
  select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('arm_id', d.id, 'arm_value', d.arm_value, 'alpha', d.alpha,
      'beta', d.beta_param, 'sample', d.sample) order by d.sample desc),
    (pg_catalog.array_agg(d.id order by d.sample desc, d.id))[1]
  into v_samples, v_best_id
  from draws d;
  if v_samples is null then
    raise exception 'bandit % has no arm to select', p_bandit_id using errcode = 'EV409';
  end if;
  update marketing.bandit_arms a set last_selected_at = pg_catalog.now() where a.id = v_best_id
  returning a.arm_value into v_best_value;
  insert into marketing.bandit_selections (bandit_id, venture_id, scope, arm_id, arm_value, samples, purpose, subject_id)
  values (p_bandit_id, v_bandit.venture_id, v_bandit.scope, v_best_id, v_best_value, v_samples,
    coalesce(p_purpose, 'schedule'), p_subject_id)
  returning * into v_row;
  return v_row;
end;
$$;
comment on function marketing.fn_bandit_select(uuid, text, uuid) is
  'Thompson sampling: draws Beta(α, β) for each arm of the bandit that is not retired, picks the highest, records the selection with every draw (marketing.bandit_selections) and returns it. EV404 unknown bandit, EV409 bandit not active or without arms.';
grant execute on function marketing.fn_bandit_select(uuid, text, uuid) to eva_service;
