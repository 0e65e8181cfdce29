-- An attempt's outcome, recorded the moment it is known (the platform's post
-- id first: bookkeeping after it never re-runs the publish). p_outcome.kind:
--   posted       the platform confirmed (or reconciliation found the post).
--   dry_run      nothing was posted: the text is recorded, labelled.
--   not_found    reconciliation read the platform and the post is not there:
--                due again, published by the next attempt.
--   retry        refused before anything was sent (a refused connection, a
--                429): due again at retry_at.
--   unconfirmed  the request went out and no answer came (a timeout, a 5xx):
--                it may have posted; reconciled by the next attempt.
--   failed       a permanent refusal (4xx other than 429): no retry.
-- Calls that reached the platform are charged to the spend ledger (at most
-- once per attempt); the budget's alert is checked; when none of a content
-- item's dispatches is left open, the content moves DISPATCH → MEASURE.
create or replace function eva_private.fn_dispatch_settle(p_dispatch_id uuid, p_attempt int, p_outcome jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_d marketing.marketing_dispatches;
  v_kind text := p_outcome ->> 'kind';
  v_class text := p_outcome ->> 'error_class';
  v_error text := pg_catalog.left(p_outcome ->> 'error', 4000);
  v_rl jsonb := p_outcome -> 'rate_limit';
  v_retry timestamptz;
  v_attempt marketing.marketing_dispatch_attempts;
  v_cost numeric;
  v_charged boolean := false;
  v_budget uuid;
  v_state text;
begin
  if v_kind is null or v_kind not in ('posted', 'dry_run', 'not_found', 'retry', 'unconfirmed', 'failed') then
    raise exception 'unknown dispatch outcome %', coalesce(v_kind, 'null') using errcode = 'EV400';
  end if;
  if v_class is not null and v_class not in ('auth_expired', 'user_content', 'platform_rejected', 'rate_limited', 'media_error', 'system') then
    raise exception 'unknown error class %', v_class using errcode = 'EV400';
  end if;
  select * into v_d from marketing.marketing_dispatches d where d.id = p_dispatch_id for update;
  if not found then
    raise exception 'no dispatch %', p_dispatch_id using errcode = 'EV404';
  end if;
  if v_d.status <> 'sending' or v_d.attempts <> p_attempt then
    -- A later attempt took the dispatch over (this one was presumed dead): its word stands.
    return pg_catalog.jsonb_build_object('late', true, 'status', v_d.status);
  end if;
  if v_kind = 'posted' and coalesce(p_outcome ->> 'platform_post_id', '') = '' then
    raise exception 'a posted outcome needs the platform''s post id' using errcode = 'EV400';
  end if;

  update marketing.marketing_dispatch_attempts a set finished_at = pg_catalog.clock_timestamp(),
    outcome = case when v_kind = 'posted' and coalesce((p_outcome ->> 'reconciled')::boolean, false) then 'reconciled'
                   when v_kind = 'not_found' then 'reconciled'
                   when v_kind = 'retry' then 'deferred' else v_kind end,
    error_class = v_class, error = v_error, http_status = (p_outcome ->> 'http_status')::int, rate_limit = v_rl,
    detail = a.detail || coalesce(p_outcome -> 'detail', '{}'::jsonb)
      || case when v_kind = 'not_found' then '{"found": false}'::jsonb else '{}'::jsonb end
  where a.dispatch_id = v_d.id and a.attempt = p_attempt
  returning * into v_attempt;

  -- The platform's own rate-limit headers, for the next admission.
  if v_rl is not null and pg_catalog.jsonb_typeof(v_rl) = 'object' and v_rl ? 'remaining' then
    update marketing.marketing_rate_limits r set header_remaining = (v_rl ->> 'remaining')::int,
      header_reset_at = (v_rl ->> 'resetAt')::timestamptz, updated_at = pg_catalog.now()
    where r.platform = v_d.platform and r.account_key = v_d.account_key;
  end if;

  -- A call that reached the platform is charged once (a reconciliation found what an earlier call paid for).
  if v_d.mode = 'live' and v_kind in ('posted', 'unconfirmed')
     and not coalesce((p_outcome ->> 'reconciled')::boolean, false) then
    v_cost := coalesce((v_attempt.detail ->> 'expected_cost_cents')::numeric, 0);
    insert into marketing.marketing_spend_ledger (venture_id, platform, dispatch_id, attempt, amount_cents, basis, reason)
    values (v_d.venture_id, v_d.platform, v_d.id, p_attempt, v_cost, coalesce(v_attempt.detail ->> 'cost_basis', 'assumption'),
      case when v_kind = 'posted' then 'post' else 'post (unconfirmed: may have been charged)' end)
    on conflict (dispatch_id, attempt) do nothing;
    v_charged := found;
  end if;

  if v_kind in ('posted', 'dry_run') then
    update marketing.marketing_dispatches d set
      status = v_kind, sending_since = null, posted_at = pg_catalog.now(),
      platform_post_id = coalesce(p_outcome ->> 'platform_post_id', 'dry-run:' || d.id),
      platform_post_url = p_outcome ->> 'url', last_error = null, error_class = null,
      platform_ref = d.platform_ref || coalesce(p_outcome -> 'detail', '{}'::jsonb), updated_at = pg_catalog.now()
    where d.id = v_d.id returning * into v_d;
    perform eva_private.fn_log_event(case when v_kind = 'posted' then 'marketing.dispatch_posted' else 'marketing.dispatch_dry_run' end,
      v_d.venture_id, pg_catalog.jsonb_build_object('dispatch_id', v_d.id, 'platform', v_d.platform,
        'platform_post_id', v_d.platform_post_id, 'url', v_d.platform_post_url, 'attempt', p_attempt,
        'reconciled', coalesce((p_outcome ->> 'reconciled')::boolean, false)));
  elsif v_kind in ('not_found', 'retry') then
    v_retry := greatest(coalesce((p_outcome ->> 'retry_at')::timestamptz, pg_catalog.now()), pg_catalog.now());
    update marketing.marketing_dispatches d set status = 'due', sending_since = null, due_at = v_retry,
      last_error = coalesce(v_error, 'the platform has no such post: publishing it'), error_class = v_class,
      updated_at = pg_catalog.now()
    where d.id = v_d.id returning * into v_d;
    perform eva_private.fn_marketing_enqueue_dispatch(v_d.id, v_retry);
  elsif v_kind = 'unconfirmed' then
    v_retry := pg_catalog.now() + pg_catalog.make_interval(secs => coalesce((select (s.value #>> '{}')::int
      from eva_private.settings s where s.key = 'marketing.reconcile_after_seconds'), 60));
    update marketing.marketing_dispatches d set status = 'unconfirmed', sending_since = null, last_error = v_error,
      error_class = v_class, updated_at = pg_catalog.now()
    where d.id = v_d.id returning * into v_d;
    perform eva_private.fn_log_event('marketing.dispatch_unconfirmed', v_d.venture_id, pg_catalog.jsonb_build_object(
      'dispatch_id', v_d.id, 'platform', v_d.platform, 'error', v_error, 'attempt', p_attempt));
    if v_d.attempts < v_d.max_attempts then
      perform eva_private.fn_marketing_enqueue_dispatch(v_d.id, v_retry);
    end if;
  else
    update marketing.marketing_dispatches d set status = 'failed', sending_since = null, last_error = v_error,
      error_class = v_class, updated_at = pg_catalog.now()
    where d.id = v_d.id returning * into v_d;
    perform eva_private.fn_log_event('marketing.dispatch_failed', v_d.venture_id, pg_catalog.jsonb_build_object(
      'dispatch_id', v_d.id, 'platform', v_d.platform, 'error', v_error, 'error_class', v_class, 'attempt', p_attempt));
  end if;

  if v_charged then
    select b.id into v_budget from marketing.marketing_channel_budgets b
    where b.venture_id = v_d.venture_id and b.platform = v_d.platform;
    if v_budget is not null then
      perform eva_private.fn_marketing_budget_alert(v_budget);
    end if;
  end if;

  -- Every dispatch of the content settled (none waiting, in flight or unconfirmed): measuring starts.
  select c.lifecycle_state into v_state from marketing.marketing_content c where c.id = v_d.content_id;
  if v_state = 'DISPATCH' and not exists (
      select 1 from marketing.marketing_dispatches o
      where o.content_id = v_d.content_id and o.status in ('scheduled', 'due', 'sending', 'unconfirmed'))
     and exists (select 1 from marketing.marketing_dispatches o
      where o.content_id = v_d.content_id and o.status in ('posted', 'dry_run')) then
    perform marketing.fn_content_transition(v_d.content_id, 'MEASURE', pg_catalog.jsonb_build_object(
      'dispatches', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('dispatch_id', o.id, 'platform', o.platform,
        'status', o.status, 'platform_post_id', o.platform_post_id) order by o.platform)
        from marketing.marketing_dispatches o where o.content_id = v_d.content_id)));
  end if;
  return pg_catalog.jsonb_build_object('late', false, 'status', v_d.status, 'dispatch', pg_catalog.to_jsonb(v_d));
end;
$$;
comment on function eva_private.fn_dispatch_settle(uuid, int, jsonb) is
  'Records an attempt''s outcome (posted, dry_run, not_found, retry, unconfirmed, failed) at once: the post id and URL, the error and its class, the rate-limit headers, the spend of a call that reached the platform, the budget alert, the next job; content DISPATCH → MEASURE when all its dispatches settled. A superseded attempt''s outcome is ignored (late).';
grant execute on function eva_private.fn_dispatch_settle(uuid, int, jsonb) to eva_service;
