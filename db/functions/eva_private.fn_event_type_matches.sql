-- A subscription's pattern against an event type: `*` stands for any run of
-- characters (stage.* matches stage.entered and stage.work_completed; * all),
-- every other character for itself.
create or replace function eva_private.fn_event_type_matches(p_patterns text[], p_event_type text)
returns boolean
language sql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from pg_catalog.unnest(p_patterns) p
    where p_event_type like pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
      p, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%'));
$$;
comment on function eva_private.fn_event_type_matches(text[], text) is
  'True when the event type matches one of the patterns (`*`: any run of characters).';
grant execute on function eva_private.fn_event_type_matches(text[], text) to eva_service, eva_chairman;
