-- Stage 0 briefs: the Chairman and services read them; services add one with the review they open.
-- Linked to the venture by eva_private.tg_venture_review_decided only.
alter table eva.venture_briefs enable row level security;

create policy "the Chairman and services read venture briefs" on eva.venture_briefs
  for select to eva_chairman, eva_service using (true);
create policy "services add venture briefs" on eva.venture_briefs
  for insert to eva_service with check (venture_id is null);

grant select on eva.venture_briefs to eva_chairman, eva_service;
grant insert (decision_id, name, origin_type, maturity, venture_score, weighted_score, profile_id, brief,
  epistemic_classification, provenance) on eva.venture_briefs to eva_service;
