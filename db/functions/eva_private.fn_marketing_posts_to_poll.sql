-- The posts metrics:collect:all polls: posted (not dry-run) within the last
-- marketing.metrics_days days, grouped by platform.
create or replace function eva_private.fn_marketing_posts_to_poll()
returns table (dispatch_id uuid, platform text, platform_post_id text)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select d.id, d.platform, d.platform_post_id from marketing.marketing_dispatches d
  where d.status = 'posted' and d.posted_at >= pg_catalog.now() - pg_catalog.make_interval(days => coalesce(
    (select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.metrics_days'), 7))
  order by d.platform, d.posted_at;
$$;
comment on function eva_private.fn_marketing_posts_to_poll() is
  'Posted dispatches of the last marketing.metrics_days days: what metrics:collect:all polls.';
grant execute on function eva_private.fn_marketing_posts_to_poll() to eva_service;
