-- `eva marketing publish <variant> --platform <name>`: the variant's dispatch
-- on that platform, due now, through the same path as a scheduled one (the
-- same row and idempotency key: repeating it never posts twice). A posted or
-- dry-run dispatch is returned as it is; a refused or failed one is given
-- another attempt (the governors judge it again).
create or replace function marketing.fn_publish_now(p_dispatch_id uuid, p_variant_id uuid, p_platform text,
  p_post_text text, p_link text default null)
returns marketing.marketing_dispatches
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_dispatches;
begin
  v_row := marketing.fn_schedule_dispatch(p_dispatch_id, p_variant_id, p_platform, p_post_text, p_link,
    pg_catalog.now(), 'publish_now', '');
  if v_row.status in ('posted', 'dry_run', 'sending') then
    return v_row;
  end if;
  if v_row.status = 'refused' and v_row.platform = 'reddit' and not exists (
      select 1 from marketing.marketing_reddit_enabled r where r.venture_id = v_row.venture_id) then
    return v_row;
  end if;
  update marketing.marketing_dispatches d set
    status = case when d.status = 'unconfirmed' then 'unconfirmed' else 'due' end,
    due_at = least(d.due_at, pg_catalog.now()), refusal_reason = null,
    max_attempts = greatest(d.max_attempts, d.attempts + 1), updated_at = pg_catalog.now()
  where d.id = v_row.id
  returning * into v_row;
  perform eva_private.fn_marketing_enqueue_dispatch(v_row.id);
  return v_row;
end;
$$;
comment on function marketing.fn_publish_now(uuid, uuid, text, text, text) is
  'Dispatches a variant on a platform now through the idempotent path: the same dispatch row on every call (a posted one is returned untouched; a refused or failed one gets another attempt, judged again by the governors). EV400 bad input, EV404 unknown variant.';
grant execute on function marketing.fn_publish_now(uuid, uuid, text, text, text) to eva_service;
