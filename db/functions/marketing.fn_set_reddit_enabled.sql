-- Reddit is off by default (spec §17.1): only the Chairman turns it on, per venture.
create or replace function marketing.fn_set_reddit_enabled(p_venture_id uuid, p_enabled boolean)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if p_enabled is null then
    raise exception 'enabled is true or false' using errcode = 'EV400';
  end if;
  if p_enabled then
    insert into marketing.marketing_reddit_enabled (venture_id, enabled_by)
    values (p_venture_id, eva_private.fn_caller_role()) on conflict do nothing;
  else
    delete from marketing.marketing_reddit_enabled r where r.venture_id = p_venture_id;
  end if;
  perform eva_private.fn_log_event('marketing.reddit_' || case when p_enabled then 'enabled' else 'disabled' end,
    p_venture_id, '{}'::jsonb);
  return p_enabled;
end;
$$;
comment on function marketing.fn_set_reddit_enabled(uuid, boolean) is
  'The Chairman enables (or disables) Reddit posting for a venture; off by default. EV404 unknown venture.';
grant execute on function marketing.fn_set_reddit_enabled(uuid, boolean) to eva_chairman;
