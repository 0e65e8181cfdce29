-- The learning loop follows the venture's lifecycle, after the marketing
-- trigger (_850) has done its part in the same transaction:
--   Stage 11 gtm_strategy → the new channel arms inherit their cluster's priors (fn_bandit_transfer);
--   Stage 23 launch_plan  → a send-time bandit per platform the venture has an account on
--                           (every publishing platform when it has none yet), its slots from bandit_parameters.
-- Idempotent; nothing here may fail the stage's result.
create or replace function eva_private.tg_venture_artifact_bandits()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_platform text;
  v_slots text[] := (select p.send_time_slots from marketing.bandit_parameters p where p.id);
begin
  if new.artifact_type = 'gtm_strategy' then
    perform marketing.fn_bandit_transfer(new.venture_id);
  elsif new.artifact_type = 'launch_plan' then
    for v_platform in
      select x.platform from pg_catalog.unnest(coalesce(
        (select pg_catalog.array_agg(a.platform order by a.platform) from marketing.marketing_platform_accounts a
         where a.venture_id = new.venture_id and a.enabled and a.platform <> 'email'),
        array['bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok'])) x (platform)
    loop
      perform marketing.fn_bandit_ensure(new.venture_id, 'send_time', v_platform,
        v_slots || coalesce((select pg_catalog.to_char(d.send_at, 'HH24:MI') from marketing.marketing_send_time_defaults d
                             where d.platform = v_platform), '15:00'));
    end loop;
    perform marketing.fn_bandit_transfer(new.venture_id);
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_venture_artifact_bandits() is
  'Trigger: Stage 11''s gtm_strategy transfers cluster priors to the new channel arms; Stage 23''s launch_plan seeds send-time bandits (and their priors).';

create or replace trigger _860_bandits after insert on eva.venture_artifacts
  for each row when (new.artifact_type in ('gtm_strategy', 'launch_plan'))
  execute function eva_private.tg_venture_artifact_bandits();
