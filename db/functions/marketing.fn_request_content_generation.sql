-- The Chairman (or a service) asks for a venture's next content item: it
-- starts in IDEATE and a worker generates, reviews and schedules it.
create or replace function marketing.fn_request_content_generation(
  p_venture_id uuid,
  p_concept_tags text[] default '{}',
  p_content_type text default 'social_post',
  p_channel_family text default 'social'
)
returns marketing.marketing_content
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  select * from eva_private.fn_marketing_create_content(p_venture_id, 'request', p_concept_tags, p_content_type, p_channel_family);
$$;
comment on function marketing.fn_request_content_generation(uuid, text[], text, text) is
  'Requests a new marketing content item for a venture (IDEATE; generation, brand review and scheduling follow on a worker). EV404 unknown venture, EV409 a venture that has ended, EV400 bad input.';
grant execute on function marketing.fn_request_content_generation(uuid, text[], text, text) to eva_chairman, eva_service;
