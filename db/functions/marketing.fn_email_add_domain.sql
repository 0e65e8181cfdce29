-- A venture's sender domain (verified at Resend): campaigns send from addresses on it.
create or replace function marketing.fn_email_add_domain(p_venture uuid, p_domain text)
returns marketing.marketing_email_domains
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_email_domains;
  v_domain text := pg_catalog.lower(pg_catalog.btrim(p_domain));
begin
  if not exists (select 1 from eva.ventures where id = p_venture) then
    raise exception 'venture % does not exist', coalesce(p_venture::text, 'null') using errcode = 'EV404';
  end if;
  if v_domain is null or v_domain !~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$' then
    raise exception 'a sender domain is a domain name (mail.example.com), not %', coalesce(p_domain, 'null') using errcode = 'EV400';
  end if;
  insert into marketing.marketing_email_domains (venture_id, domain) values (p_venture, v_domain)
  on conflict (venture_id, domain) do update set domain = excluded.domain
  returning * into v_row;
  return v_row;
end;
$$;
comment on function marketing.fn_email_add_domain(uuid, text) is 'Adds a sender domain to a venture (idempotent). Returns the row.';
grant execute on function marketing.fn_email_add_domain(uuid, text) to eva_chairman, eva_service;
