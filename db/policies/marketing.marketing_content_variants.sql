-- A content item's variants: read by the Chairman, services and viewers;
-- written once per generation by eva_private.fn_marketing_record_generation.
alter table marketing.marketing_content_variants enable row level security;

create policy "the Chairman, services and viewers read content variants" on marketing.marketing_content_variants
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_content_variants to eva_chairman, eva_service, eva_viewer;
