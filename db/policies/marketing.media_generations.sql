-- Media generations: read by all EVA roles; requested through marketing.fn_request_media and moved only by
-- eva_private.fn_media_advance.
alter table marketing.media_generations enable row level security;

create policy "the Chairman, services and viewers read media generations" on marketing.media_generations
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.media_generations to eva_chairman, eva_service, eva_viewer;
