-- Every arm carries its venture's business-model type (contextual bandits),
-- whoever creates it (Stage 11's seeding, the schedule, the transfer).
create or replace function eva_private.tg_bandit_arm_context()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.context_key = '' then
    new.context_key := coalesce(eva_private.fn_bandit_context_key(new.venture_id), '');
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_bandit_arm_context() is
  'Trigger: a new bandit arm without a context takes its venture''s business-model type (eva_private.fn_bandit_context_key).';

create or replace trigger _100_context before insert on marketing.bandit_arms
  for each row execute function eva_private.tg_bandit_arm_context();
