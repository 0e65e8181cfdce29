-- The Chairman changes a platform's write limit (its default, or one account's).
create or replace function marketing.fn_set_rate_limit(p_platform text, p_window_name text, p_window_length interval,
  p_max_calls int, p_account_key text default '')
returns marketing.marketing_rate_limits
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_rate_limits;
begin
  if p_platform is null or p_platform not in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit') then
    raise exception 'unknown platform "%"', p_platform using errcode = 'EV400';
  end if;
  if p_window_name is null or p_window_name !~ '^[a-z0-9_]{1,20}$' or p_window_length is null
     or p_window_length < interval '1 minute' or p_max_calls is null or p_max_calls < 1 then
    raise exception 'a rate limit needs a window name ([a-z0-9_]), a length of 1 minute or more and at least 1 call'
      using errcode = 'EV400';
  end if;
  insert into marketing.marketing_rate_limits as r (platform, account_key, window_name, window_length, max_calls, source)
  values (p_platform, coalesce(p_account_key, ''), p_window_name, p_window_length, p_max_calls, 'chairman')
  on conflict (platform, account_key, window_name) do update set window_length = excluded.window_length,
    max_calls = excluded.max_calls, source = 'chairman', updated_at = pg_catalog.now()
  returning * into v_row;
  return v_row;
end;
$$;
comment on function marketing.fn_set_rate_limit(text, text, interval, int, text) is
  'The Chairman sets a platform''s (or an account''s) write limit: max_calls per window_length. EV400 bad input.';
grant execute on function marketing.fn_set_rate_limit(text, text, interval, int, text) to eva_chairman;
