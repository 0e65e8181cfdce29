-- Brand templates: read by all EVA roles; each version written by marketing.fn_set_brand_template, never changed.
alter table marketing.brand_templates enable row level security;

create policy "the Chairman, services and viewers read brand templates" on marketing.brand_templates
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.brand_templates to eva_chairman, eva_service, eva_viewer;
