-- Which ventures may post to Reddit: read by all EVA roles; set by marketing.fn_set_reddit_enabled.
alter table marketing.marketing_reddit_enabled enable row level security;

create policy "the Chairman, services and viewers read Reddit switches" on marketing.marketing_reddit_enabled
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_reddit_enabled to eva_chairman, eva_service, eva_viewer;
