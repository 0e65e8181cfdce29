-- Rate limits admitted at scheduling time (what schedulers that only throttle
-- at publish time get wrong): the earliest time at or after p_due_at when
-- every window of the platform (and account) has room, counting the
-- dispatches already scheduled, queued, in flight or posted in a sliding
-- window. Null when that is past marketing.dispatch_horizon_days.
create or replace function eva_private.fn_marketing_admit(p_platform text, p_account_key text, p_due_at timestamptz,
  p_exclude uuid default null)
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_at timestamptz := p_due_at;
  v_horizon interval := pg_catalog.make_interval(days => coalesce((select (s.value #>> '{}')::int
    from eva_private.settings s where s.key = 'marketing.dispatch_horizon_days'), 7));
  v_moved boolean;
  v_w record;
  v_count int;
  v_first timestamptz;
begin
  for v_round in 1..200 loop
    v_moved := false;
    for v_w in
      select coalesce(a.window_length, d.window_length) as window_length, coalesce(a.max_calls, d.max_calls) as max_calls
      from marketing.marketing_rate_limits d
      left join marketing.marketing_rate_limits a
        on a.platform = d.platform and a.window_name = d.window_name and a.account_key = p_account_key and p_account_key <> ''
      where d.platform = p_platform and d.account_key = ''
    loop
      select count(*), min(x.due_at) into v_count, v_first
      from (select m.due_at from marketing.marketing_dispatches m
            where m.platform = p_platform and m.account_key = p_account_key
              and m.status in ('scheduled', 'due', 'sending', 'posted', 'unconfirmed')
              and m.id is distinct from p_exclude
              and m.due_at > v_at - v_w.window_length and m.due_at <= v_at
            order by m.due_at) x;
      if v_count >= v_w.max_calls then
        -- The window is full: the earliest time its oldest dispatch leaves it.
        v_at := v_first + v_w.window_length + interval '1 second';
        v_moved := true;
      end if;
    end loop;
    exit when not v_moved;
  end loop;
  if v_at > p_due_at + v_horizon then
    return null;
  end if;
  return v_at;
end;
$$;
comment on function eva_private.fn_marketing_admit(text, text, timestamptz, uuid) is
  'Rate-limit admission at scheduling time: the earliest time at or after p_due_at when every window of the platform (and account) has room among the dispatches already planned; null past marketing.dispatch_horizon_days.';
grant execute on function eva_private.fn_marketing_admit(text, text, timestamptz, uuid) to eva_service;
