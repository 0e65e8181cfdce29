-- The one writer of a media generation's state (spec §17.3), called by the
-- media_generation job after each provider call:
--   submit    {provider, model}      requested → submitted (attempts + 1), before the call
--   accepted  {provider_job_id}      submitted → polling, first poll after media_poll_first_seconds
--   poll      {}                     polling → polling, the wait doubling up to media_poll_max_seconds;
--                                    failed after media_max_polls
--   provider_failed {error}          submitted | polling → requested: the provider is added to
--                                    providers_tried; the same job goes on to the route's next one
--   succeeded {asset_id, cost_cents, basis} → succeeded, the call's cost in the spend ledger
--   failed    {error}                → failed (no provider left, or an error that is not the provider's)
-- A polling generation queues the job again (job_key media_generation:<id>)
-- at the time its next look is due: no worker waits on a provider.
create or replace function eva_private.fn_media_advance(p_generation_id uuid, p_action text, p_detail jsonb default '{}')
returns marketing.media_generations
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_g marketing.media_generations;
  v_d jsonb := coalesce(p_detail, '{}');
  v_first int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.media_poll_first_seconds'), 10);
  v_max int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.media_poll_max_seconds'), 300);
  v_max_polls int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.media_max_polls'), 120);
  v_run_at timestamptz;
begin
  select * into v_g from marketing.media_generations g where g.id = p_generation_id for update;
  if v_g.id is null then
    raise exception 'no media generation %', p_generation_id using errcode = 'EV404';
  end if;
  if v_g.status in ('succeeded', 'failed', 'refused') then
    raise exception 'media generation % is already %', p_generation_id, v_g.status using errcode = 'EV409';
  end if;
  case p_action
  when 'submit' then
    if v_g.status not in ('requested', 'submitted') then
      raise exception 'a % generation is not submitted again', v_g.status using errcode = 'EV409';
    end if;
    update marketing.media_generations g set status = 'submitted', provider = v_d ->> 'provider', model = v_d ->> 'model',
      provider_job_id = null, attempts = g.attempts + 1, submitted_at = pg_catalog.now(), updated_at = pg_catalog.now()
    where g.id = p_generation_id returning * into v_g;
  when 'accepted' then
    if v_g.status <> 'submitted' then
      raise exception 'only a submitted generation is accepted, not a % one', v_g.status using errcode = 'EV409';
    end if;
    v_run_at := pg_catalog.now() + pg_catalog.make_interval(secs => v_first);
    update marketing.media_generations g set status = 'polling', provider_job_id = v_d ->> 'provider_job_id',
      next_poll_at = v_run_at, updated_at = pg_catalog.now()
    where g.id = p_generation_id returning * into v_g;
  when 'poll' then
    if v_g.status <> 'polling' then
      raise exception 'only a polling generation is polled, not a % one', v_g.status using errcode = 'EV409';
    end if;
    if v_g.polls + 1 >= v_max_polls then
      update marketing.media_generations g set status = 'failed', polls = g.polls + 1, next_poll_at = null,
        last_error = pg_catalog.format('%s did not finish after %s polls', g.provider, g.polls + 1),
        finished_at = pg_catalog.now(), updated_at = pg_catalog.now()
      where g.id = p_generation_id returning * into v_g;
    else
      v_run_at := pg_catalog.now()
        + pg_catalog.make_interval(secs => least(v_max, v_first * pg_catalog.power(2, v_g.polls + 1)::bigint));
      update marketing.media_generations g set polls = g.polls + 1, next_poll_at = v_run_at, updated_at = pg_catalog.now()
      where g.id = p_generation_id returning * into v_g;
    end if;
  when 'provider_failed' then
    update marketing.media_generations g set status = 'requested',
      providers_tried = g.providers_tried || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'provider', coalesce(v_d ->> 'provider', g.provider), 'error', v_d ->> 'error', 'at', pg_catalog.now())),
      provider = null, model = null, provider_job_id = null, next_poll_at = null, last_error = v_d ->> 'error',
      updated_at = pg_catalog.now()
    where g.id = p_generation_id returning * into v_g;
  when 'succeeded' then
    if v_g.status <> 'submitted' and v_g.status <> 'polling' then
      raise exception 'a % generation cannot succeed', v_g.status using errcode = 'EV409';
    end if;
    if (v_d ->> 'asset_id') is null then
      raise exception 'a succeeded generation names its asset' using errcode = 'EV400';
    end if;
    update marketing.media_generations g set status = 'succeeded', result_asset_id = (v_d ->> 'asset_id')::uuid,
      cost_cents = coalesce((v_d ->> 'cost_cents')::numeric, 0), next_poll_at = null, last_error = null,
      finished_at = pg_catalog.now(), updated_at = pg_catalog.now()
    where g.id = p_generation_id returning * into v_g;
    -- The provider's charge for the call that made it (platform = the provider), once per generation and attempt.
    insert into marketing.marketing_spend_ledger (venture_id, platform, media_generation_id, attempt, amount_cents, basis, reason)
    values (v_g.venture_id, v_g.provider, v_g.id, v_g.attempts, v_g.cost_cents, coalesce(v_d ->> 'basis', 'assumption'),
      pg_catalog.format('%s %s by %s (%s)', v_g.kind,
        case when v_g.kind = 'video' then v_g.duration_seconds || ' s' else '1 image' end, v_g.provider, v_g.model))
    on conflict (media_generation_id, attempt) do nothing;
  when 'failed' then
    update marketing.media_generations g set status = 'failed', next_poll_at = null, last_error = v_d ->> 'error',
      providers_tried = case when v_d ? 'provider' then g.providers_tried || pg_catalog.jsonb_build_array(
        pg_catalog.jsonb_build_object('provider', v_d ->> 'provider', 'error', v_d ->> 'error', 'at', pg_catalog.now()))
        else g.providers_tried end,
      finished_at = pg_catalog.now(), updated_at = pg_catalog.now()
    where g.id = p_generation_id returning * into v_g;
  else
    raise exception 'unknown media generation action %', p_action using errcode = 'EV400';
  end case;

  -- After provider_failed the running job goes straight on to the route's next provider (a second
  -- job now could submit the same video twice); should it die first, graphile-worker retries it,
  -- and media:generations:sweep re-queues a generation whose job is gone.
  if v_g.status = 'polling' then
    perform graphile_worker.add_job('media_generation', pg_catalog.json_build_object('generation_id', v_g.id),
      job_key := 'media_generation:' || v_g.id, run_at := coalesce(v_run_at, v_g.next_poll_at, pg_catalog.now()),
      max_attempts := 5);
  end if;
  if v_g.status in ('succeeded', 'failed') then
    perform eva_private.fn_log_event('marketing.media_' || v_g.status, v_g.venture_id, pg_catalog.jsonb_build_object(
      'generation_id', v_g.id, 'kind', v_g.kind, 'provider', v_g.provider, 'cost_cents', v_g.cost_cents,
      'asset_id', v_g.result_asset_id, 'error', v_g.last_error, 'providers_tried', v_g.providers_tried));
  end if;
  return v_g;
end;
$$;
comment on function eva_private.fn_media_advance(uuid, text, jsonb) is
  'Moves a media generation: submit | accepted | poll | provider_failed | succeeded | failed (see the function''s header); queues its next job at the time it is due and charges a success to the spend ledger. EV404 unknown, EV409 a move its state does not allow, EV400 bad input.';
grant execute on function eva_private.fn_media_advance(uuid, text, jsonb) to eva_service;
