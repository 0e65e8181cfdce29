-- What a post costs on a platform (cents, with and without a link), and
-- whether that is a price list's assumption or an invoice's fact.
create or replace function marketing.fn_set_platform_cost(p_platform text, p_post_cents numeric, p_post_with_link_cents numeric,
  p_basis text default 'assumption', p_source text default 'chairman')
returns marketing.marketing_platform_costs
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_platform_costs;
begin
  if p_platform is null or p_platform not in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit') then
    raise exception 'unknown platform "%"', p_platform using errcode = 'EV400';
  end if;
  if p_post_cents is null or p_post_cents < 0 or p_post_with_link_cents is null or p_post_with_link_cents < 0
     or p_basis not in ('assumption', 'fact') then
    raise exception 'costs are cents, 0 or more; basis is assumption or fact' using errcode = 'EV400';
  end if;
  insert into marketing.marketing_platform_costs as c (platform, post_cents, post_with_link_cents, basis, source)
  values (p_platform, p_post_cents, p_post_with_link_cents, p_basis, coalesce(p_source, 'chairman'))
  on conflict (platform) do update set post_cents = excluded.post_cents, post_with_link_cents = excluded.post_with_link_cents,
    basis = excluded.basis, source = excluded.source, updated_at = pg_catalog.now()
  returning * into v_row;
  return v_row;
end;
$$;
comment on function marketing.fn_set_platform_cost(text, numeric, numeric, text, text) is
  'The Chairman sets what one post costs on a platform (cents, without and with a link) and its basis (assumption | fact). EV400 bad input.';
grant execute on function marketing.fn_set_platform_cost(text, numeric, numeric, text, text) to eva_chairman;
