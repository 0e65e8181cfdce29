-- Synthesis feedback: the Chairman and services read it (cross-reference learns from it);
-- written only by eva_private.tg_venture_review_decided when a Stage 0 review is decided.
alter table eva.venture_synthesis_feedback enable row level security;

create policy "the Chairman and services read venture synthesis feedback" on eva.venture_synthesis_feedback
  for select to eva_chairman, eva_service using (true);

grant select on eva.venture_synthesis_feedback to eva_chairman, eva_service;
