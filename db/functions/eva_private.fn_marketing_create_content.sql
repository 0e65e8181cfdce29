-- A new content item in IDEATE, its generation queued in the same
-- transaction. Shared by the Chairman's and services' request and by Stage
-- 22's pre-launch start (origin pre_launch, once per venture).
create or replace function eva_private.fn_marketing_create_content(
  p_venture_id uuid,
  p_origin text,
  p_concept_tags text[] default '{}',
  p_content_type text default 'social_post',
  p_channel_family text default 'social'
)
returns marketing.marketing_content
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_row marketing.marketing_content;
begin
  if p_venture_id is null then
    raise exception 'a venture id is required' using errcode = 'EV400';
  end if;
  select * into v_venture from eva.ventures v where v.id = p_venture_id;
  if not found then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if v_venture.status not in ('active', 'awaiting_decision', 'paused') then
    raise exception 'venture % is %: it makes no more marketing content', v_venture.name, v_venture.status
      using errcode = 'EV409';
  end if;
  if coalesce(p_content_type, '') not in ('social_post', 'email', 'ad') then
    raise exception 'content type must be social_post, email or ad, not %', coalesce(p_content_type, 'null') using errcode = 'EV400';
  end if;
  if coalesce(p_channel_family, '') not in ('social', 'email', 'paid') then
    raise exception 'channel family must be social, email or paid, not %', coalesce(p_channel_family, 'null') using errcode = 'EV400';
  end if;
  if exists (select 1 from pg_catalog.unnest(coalesce(p_concept_tags, '{}')) t where t !~ '^[a-z0-9][a-z0-9_-]{0,39}$') then
    raise exception 'concept tags are lowercase words (a-z, 0-9, _ and -, up to 40 characters)' using errcode = 'EV400';
  end if;

  insert into marketing.marketing_content (venture_id, content_type, channel_family, concept_tags, origin, metadata)
  values (p_venture_id, p_content_type, p_channel_family, coalesce(p_concept_tags, '{}'), p_origin,
    pg_catalog.jsonb_build_object('lifecycle_state', 'IDEATE', 'requested_by', eva_private.fn_caller_role(),
      'stage_at_request', v_venture.current_lifecycle_stage))
  returning * into v_row;
  perform eva_private.fn_log_event('marketing.content_requested', p_venture_id, pg_catalog.jsonb_build_object(
    'content_id', v_row.id, 'origin', p_origin, 'content_type', p_content_type, 'channel_family', p_channel_family,
    'stage', v_venture.current_lifecycle_stage));
  perform eva_private.fn_marketing_enqueue(v_row.id, 'generate');
  return v_row;
end;
$$;
comment on function eva_private.fn_marketing_create_content(uuid, text, text[], text, text) is
  'Creates a content item in IDEATE for a venture (EV404 unknown venture, EV409 an ended one, EV400 bad input) and queues its generation.';
grant execute on function eva_private.fn_marketing_create_content(uuid, text, text[], text, text) to eva_service;
