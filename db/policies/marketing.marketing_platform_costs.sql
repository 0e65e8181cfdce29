-- What a post costs per platform: read by all EVA roles; set through marketing.fn_set_platform_cost.
alter table marketing.marketing_platform_costs enable row level security;

create policy "the Chairman, services and viewers read platform costs" on marketing.marketing_platform_costs
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_platform_costs to eva_chairman, eva_service, eva_viewer;
