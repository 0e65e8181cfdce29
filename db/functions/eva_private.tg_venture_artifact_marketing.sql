-- The marketing engine follows the venture's lifecycle (spec §17.15), in the
-- transaction that records the stage's artifact:
--   Stage 11 gtm_strategy  → the channel bandit's arms are seeded from its channels;
--   Stage 22 release_package → pre-launch: the first content item is requested (once);
--   Stage 23 launch_plan   → full distribution is active for the venture.
-- Each is idempotent: a re-run of the stage changes nothing it already did.
create or replace function eva_private.tg_venture_artifact_marketing()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.artifact_type = 'gtm_strategy' then
    perform eva_private.fn_marketing_seed_channel_arms(new.venture_id, new.content);
  elsif new.artifact_type = 'release_package' then
    insert into marketing.marketing_venture_state (venture_id, distribution, pre_launch_started_at)
    values (new.venture_id, 'pre_launch', pg_catalog.now())
    on conflict (venture_id) do update
      set distribution = 'pre_launch', pre_launch_started_at = coalesce(marketing.marketing_venture_state.pre_launch_started_at, pg_catalog.now())
      where marketing.marketing_venture_state.distribution = 'none';
    -- A venture the same result ends (killed at the gate) gets no content; nothing here may fail the stage's result.
    if not exists (select 1 from marketing.marketing_content c where c.venture_id = new.venture_id and c.origin = 'pre_launch')
       and exists (select 1 from eva.ventures v where v.id = new.venture_id and v.status in ('active', 'awaiting_decision', 'paused')) then
      perform eva_private.fn_marketing_create_content(new.venture_id, 'pre_launch', array['pre_launch']);
    end if;
  elsif new.artifact_type = 'launch_plan' then
    insert into marketing.marketing_venture_state (venture_id, distribution, full_distribution_at)
    values (new.venture_id, 'full', pg_catalog.now())
    on conflict (venture_id) do update
      set distribution = 'full', full_distribution_at = pg_catalog.now()
      where marketing.marketing_venture_state.distribution <> 'full';
    if found then
      perform eva_private.fn_log_event('marketing.distribution_activated', new.venture_id,
        pg_catalog.jsonb_build_object('distribution', 'full', 'stage', new.lifecycle_stage, 'artifact_id', new.id));
    end if;
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_venture_artifact_marketing() is
  'Trigger: Stage 11''s gtm_strategy seeds channel arms, Stage 22''s release_package starts pre-launch content, Stage 23''s launch_plan activates full distribution (each idempotent).';

create or replace trigger _850_marketing after insert on eva.venture_artifacts
  for each row when (new.artifact_type in ('gtm_strategy', 'release_package', 'launch_plan'))
  execute function eva_private.tg_venture_artifact_marketing();
