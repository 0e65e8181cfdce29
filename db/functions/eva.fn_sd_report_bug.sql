-- `eva sd report-bug`: a bug reported in a launched venture becomes a bugfix
-- SD work item for engineering (eva_private.fn_sd_post_launch_item).
create or replace function eva.fn_sd_report_bug(p_venture uuid, p_title text, p_severity text default 'medium',
  p_details jsonb default '{}')
returns eva.sd_work_items
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_severity is null or not (p_severity = any (pg_catalog.enum_range(null::eva.severity)::text[])) then
    raise exception 'severity is one of %, not %', pg_catalog.array_to_string(pg_catalog.enum_range(null::eva.severity)::text[], ', '),
      coalesce(p_severity, 'null') using errcode = 'EV400';
  end if;
  if p_details is null or pg_catalog.jsonb_typeof(p_details) <> 'object' then
    raise exception 'details must be a JSON object' using errcode = 'EV400';
  end if;
  return eva_private.fn_sd_post_launch_item(p_venture, 'bugfix', p_title,
    p_details || pg_catalog.jsonb_build_object('severity', p_severity, 'reported_by', eva_private.fn_caller_role()));
end;
$$;
comment on function eva.fn_sd_report_bug(uuid, text, text, jsonb) is
  'Reports a bug in a launched venture (Stage 20 on): a bugfix SD work item with its severity (critical, high, medium, low), for engineering to report through eva.fn_sd_complete.';
grant execute on function eva.fn_sd_report_bug(uuid, text, text, jsonb) to eva_service, eva_chairman;
