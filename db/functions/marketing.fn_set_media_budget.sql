-- The Chairman sets a venture's monthly media budget (spec §17.3): image
-- generation or image-to-video, in cents.
create or replace function marketing.fn_set_media_budget(p_venture_id uuid, p_kind text, p_monthly_budget_cents bigint,
  p_actor text default 'chairman')
returns marketing.media_budgets
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.media_budgets;
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if p_kind is null or p_kind not in ('image', 'video') then
    raise exception 'a media budget is for image or video, not %', coalesce(p_kind, 'null') using errcode = 'EV400';
  end if;
  if p_monthly_budget_cents is null or p_monthly_budget_cents < 0 then
    raise exception 'a monthly budget is a number of cents, 0 or more' using errcode = 'EV400';
  end if;
  insert into marketing.media_budgets as b (venture_id, kind, monthly_budget_cents, set_by)
  values (p_venture_id, p_kind, p_monthly_budget_cents, coalesce(p_actor, 'chairman'))
  on conflict (venture_id, kind) do update set monthly_budget_cents = excluded.monthly_budget_cents,
    set_by = excluded.set_by, updated_at = pg_catalog.now()
  returning * into v_row;
  perform eva_private.fn_log_event('marketing.media_budget_set', p_venture_id,
    pg_catalog.jsonb_build_object('kind', p_kind, 'monthly_budget_cents', p_monthly_budget_cents));
  return v_row;
end;
$$;
comment on function marketing.fn_set_media_budget(uuid, text, bigint, text) is
  'Sets a venture''s monthly media budget in cents for image or video (I2V). EV400 bad input, EV404 unknown venture.';
grant execute on function marketing.fn_set_media_budget(uuid, text, bigint, text) to eva_chairman;
