-- Brand-compliance reviews: read by everyone signed in; written by
-- eva_private.fn_marketing_record_review alone; append-only.
alter table marketing.marketing_content_reviews enable row level security;

create policy "the Chairman, services and viewers read content reviews" on marketing.marketing_content_reviews
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_content_reviews to eva_chairman, eva_service, eva_viewer;
