-- Content that cannot go on (the review failed too often, or it was stopped)
-- is blocked with the reason, and the block is an event.
create or replace function eva_private.fn_marketing_block_content(p_content_id uuid, p_reason text)
returns marketing.marketing_content
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
begin
  if p_reason is null or pg_catalog.btrim(p_reason) = '' then
    raise exception 'blocking content needs a reason' using errcode = 'EV400';
  end if;
  perform pg_catalog.set_config('marketing.transitioning', p_content_id::text, true);
  update marketing.marketing_content c set status = 'blocked', blocked_reason = p_reason,
    metadata = c.metadata || pg_catalog.jsonb_build_object('blocked_in', c.lifecycle_state)
  where c.id = p_content_id and c.status = 'active'
  returning * into v_row;
  perform pg_catalog.set_config('marketing.transitioning', '', true);
  if not found then
    raise exception 'no active marketing content %', p_content_id using errcode = 'EV404';
  end if;
  perform eva_private.fn_log_event('marketing.content_blocked', v_row.venture_id, pg_catalog.jsonb_build_object(
    'content_id', v_row.id, 'state', v_row.lifecycle_state, 'cycle', v_row.cycle, 'reason', p_reason));
  return v_row;
end;
$$;
comment on function eva_private.fn_marketing_block_content(uuid, text) is
  'Blocks an active content item with a reason (no further transition) and logs marketing.content_blocked.';
grant execute on function eva_private.fn_marketing_block_content(uuid, text) to eva_service;
