-- The last counts polled per post: read by all EVA roles; written by eva_private.fn_record_post_metrics.
alter table marketing.marketing_post_metrics enable row level security;

create policy "the Chairman, services and viewers read polled post metrics" on marketing.marketing_post_metrics
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_post_metrics to eva_chairman, eva_service, eva_viewer;
