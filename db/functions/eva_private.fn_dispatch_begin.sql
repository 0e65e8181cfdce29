-- A dispatch's job starts here, before any call: it decides what this
-- attempt does and records the attempt in the same transaction.
--   posted, dry_run, failed, refused, not yet due → skip.
--   sending, by an attempt younger than marketing.sending_stale_seconds → wait
--     (another worker may be mid-call); older → that worker died: its attempt
--     is closed as crashed and this one reconciles (reads the platform for the
--     post) before anything is sent again.
--   unconfirmed → reconcile.
--   due → publish, once the governors let it: the venture's distribution
--     (live posts only once Stage 23 activated full distribution; pre-launch
--     content from Stage 22), Reddit's switch, the budget (monthly cap, daily
--     stop-loss) and the rate limits (a full window defers to its reset).
-- A publish takes its rate-limit slot here; the first attempt of a content
-- item's dispatches moves it SCHEDULE → DISPATCH.
create or replace function eva_private.fn_dispatch_begin(p_dispatch_id uuid, p_mode text, p_worker text,
  p_contract_id uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_d marketing.marketing_dispatches;
  v_action text;
  v_stale interval := pg_catalog.make_interval(secs => coalesce((select (s.value #>> '{}')::int
    from eva_private.settings s where s.key = 'marketing.sending_stale_seconds'), 120));
  v_distribution text;
  v_origin text;
  v_reason text;
  v_cost numeric := 0;
  v_basis text := 'assumption';
  v_retry timestamptz;
  v_w record;
  v_state text;
begin
  if p_mode not in ('live', 'dry_run') then
    raise exception 'a dispatch mode is live or dry_run, not %', p_mode using errcode = 'EV400';
  end if;
  select * into v_d from marketing.marketing_dispatches d where d.id = p_dispatch_id for update;
  if not found then
    return pg_catalog.jsonb_build_object('action', 'skip', 'reason', 'no such dispatch');
  end if;
  if v_d.status in ('posted', 'dry_run', 'failed', 'refused') then
    return pg_catalog.jsonb_build_object('action', 'skip', 'reason', 'already ' || v_d.status, 'status', v_d.status);
  end if;
  if v_d.status = 'scheduled' and v_d.due_at > pg_catalog.now() then
    return pg_catalog.jsonb_build_object('action', 'skip', 'reason', 'not due until ' || v_d.due_at, 'status', v_d.status);
  end if;

  if v_d.status = 'sending' then
    if v_d.sending_since > pg_catalog.now() - v_stale then
      return pg_catalog.jsonb_build_object('action', 'wait', 'retry_at', v_d.sending_since + v_stale,
        'reason', 'attempt ' || v_d.attempts || ' is in flight');
    end if;
    update marketing.marketing_dispatch_attempts a set finished_at = pg_catalog.clock_timestamp(), outcome = 'crashed',
      error = 'the attempt''s worker stopped before recording an outcome'
    where a.dispatch_id = v_d.id and a.attempt = v_d.attempts and a.finished_at is null;
    v_action := 'reconcile';
  elsif v_d.status = 'unconfirmed' then
    v_action := 'reconcile';
  else
    v_action := 'publish';
  end if;

  if v_action = 'publish' then
    if v_d.attempts >= v_d.max_attempts then
      update marketing.marketing_dispatches d set status = 'failed', last_error = coalesce(d.last_error, '') ||
        pg_catalog.format(' (gave up after %s attempts)', d.attempts), updated_at = pg_catalog.now()
      where d.id = v_d.id;
      return pg_catalog.jsonb_build_object('action', 'skip', 'reason', 'attempts exhausted', 'status', 'failed');
    end if;
    if p_mode = 'live' then
      select s.distribution into v_distribution from marketing.marketing_venture_state s where s.venture_id = v_d.venture_id;
      select c.origin into v_origin from marketing.marketing_content c where c.id = v_d.content_id;
      if not (coalesce(v_distribution, 'none') = 'full' or (v_distribution = 'pre_launch' and v_origin = 'pre_launch')) then
        v_retry := pg_catalog.now() + interval '1 day';
        update marketing.marketing_dispatches d set status = 'scheduled', due_at = v_retry,
          last_error = 'waiting: live posts start once Stage 23 (launch) activates full distribution', updated_at = pg_catalog.now()
        where d.id = v_d.id;
        return pg_catalog.jsonb_build_object('action', 'deferred', 'retry_at', v_retry,
          'reason', 'full distribution is not active (Stage 23)');
      end if;
      if v_d.platform = 'reddit' and not exists (
          select 1 from marketing.marketing_reddit_enabled r where r.venture_id = v_d.venture_id) then
        v_reason := 'Reddit is off for this venture until the Chairman enables it (eva marketing reddit enable)';
      end if;
      if v_reason is null then
        select case when v_d.link is not null then c.post_with_link_cents else c.post_cents end, c.basis
          into v_cost, v_basis
        from marketing.marketing_platform_costs c where c.platform = v_d.platform;
        v_cost := coalesce(v_cost, 0);
        v_reason := eva_private.fn_marketing_governor(v_d.venture_id, v_d.platform, v_cost);
      end if;
      if v_reason is not null then
        update marketing.marketing_dispatches d set status = 'refused', refusal_reason = v_reason, updated_at = pg_catalog.now()
        where d.id = v_d.id;
        perform eva_private.fn_log_event('marketing.dispatch_refused', v_d.venture_id, pg_catalog.jsonb_build_object(
          'dispatch_id', v_d.id, 'platform', v_d.platform, 'reason', v_reason));
        return pg_catalog.jsonb_build_object('action', 'refused', 'reason', v_reason);
      end if;

      -- The rate limits: this account's windows (copied from the platform's default on first use), rolled when passed.
      insert into marketing.marketing_rate_limits (platform, account_key, window_name, window_length, max_calls, source)
      select r.platform, v_d.account_key, r.window_name, r.window_length, r.max_calls, r.source
      from marketing.marketing_rate_limits r where r.platform = v_d.platform and r.account_key = '' and v_d.account_key <> ''
      on conflict do nothing;
      update marketing.marketing_rate_limits r set used = 0, window_started_at = pg_catalog.now(), updated_at = pg_catalog.now()
      where r.platform = v_d.platform and r.account_key = v_d.account_key
        and r.window_started_at + r.window_length <= pg_catalog.now();
      select max(case when r.used >= r.max_calls then r.window_started_at + r.window_length
                      when r.header_remaining = 0 and r.header_reset_at > pg_catalog.now() then r.header_reset_at end)
        into v_retry
      from marketing.marketing_rate_limits r where r.platform = v_d.platform and r.account_key = v_d.account_key;
      if v_retry is not null then
        update marketing.marketing_dispatches d set status = 'scheduled', due_at = v_retry, error_class = 'rate_limited',
          last_error = pg_catalog.format('rate limit: %s is out of calls until %s', v_d.platform, v_retry), updated_at = pg_catalog.now()
        where d.id = v_d.id;
        perform eva_private.fn_log_event('marketing.dispatch_deferred', v_d.venture_id, pg_catalog.jsonb_build_object(
          'dispatch_id', v_d.id, 'platform', v_d.platform, 'retry_at', v_retry, 'reason', 'rate limit'));
        return pg_catalog.jsonb_build_object('action', 'deferred', 'retry_at', v_retry, 'reason', 'rate limit');
      end if;
      update marketing.marketing_rate_limits r set used = r.used + 1, updated_at = pg_catalog.now()
      where r.platform = v_d.platform and r.account_key = v_d.account_key;
    end if;
  end if;

  update marketing.marketing_dispatches d set status = 'sending', sending_since = pg_catalog.now(), attempts = d.attempts + 1,
    mode = p_mode, updated_at = pg_catalog.now()
  where d.id = v_d.id
  returning * into v_d;
  insert into marketing.marketing_dispatch_attempts (dispatch_id, venture_id, attempt, action, mode, contract_id, worker, detail)
  values (v_d.id, v_d.venture_id, v_d.attempts, v_action, p_mode, p_contract_id, p_worker,
    pg_catalog.jsonb_build_object('expected_cost_cents', v_cost, 'cost_basis', v_basis));

  select c.lifecycle_state into v_state from marketing.marketing_content c where c.id = v_d.content_id;
  if v_state = 'SCHEDULE' then
    perform marketing.fn_content_transition(v_d.content_id, 'DISPATCH',
      pg_catalog.jsonb_build_object('dispatch_id', v_d.id, 'platform', v_d.platform));
  end if;

  return pg_catalog.jsonb_build_object('action', v_action, 'attempt', v_d.attempts, 'expected_cost_cents', v_cost,
    'dispatch', pg_catalog.to_jsonb(v_d));
end;
$$;
comment on function eva_private.fn_dispatch_begin(uuid, text, text, uuid) is
  'Starts an attempt of a dispatch before any call: skip (settled or not due), wait (another attempt is in flight), reconcile (an earlier attempt crashed or is unconfirmed: read the platform first), publish (after the governors: distribution active for live posts, Reddit''s switch, budget cap and stop-loss, rate limits), deferred or refused with the reason. Records the attempt; moves the content SCHEDULE → DISPATCH.';
grant execute on function eva_private.fn_dispatch_begin(uuid, text, text, uuid) to eva_service;
