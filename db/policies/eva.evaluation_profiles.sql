-- Evaluation profiles: the Chairman and services read them (Stage 0 scores with the active one);
-- written only by eva.fn_create_evaluation_profile and eva.fn_activate_evaluation_profile.
alter table eva.evaluation_profiles enable row level security;

create policy "the Chairman and services read evaluation profiles" on eva.evaluation_profiles
  for select to eva_chairman, eva_service using (true);

grant select on eva.evaluation_profiles to eva_chairman, eva_service;
