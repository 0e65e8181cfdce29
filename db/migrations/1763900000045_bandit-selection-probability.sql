-- Up Migration

-- The probability a selection had of picking the arm it picked (Thompson
-- sampling picks an arm with the probability that it is the best), kept with
-- the schedule's selections so that outcomes can be re-weighted later (social
-- posts are broadcast, not randomised per user: inverse-propensity weights
-- need the propensity of each decision).
create schema if not exists marketing authorization eva_owner;
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;

alter table marketing.bandit_selections
  add column selection_probability numeric check (selection_probability between 0 and 1),
  add column probability_draws int check (probability_draws > 0),
  add check ((selection_probability is null) = (probability_draws is null));
comment on column marketing.bandit_selections.selection_probability is
  'The chosen arm''s probability of being picked (its probability of being best under the posterior it was drawn from, from probability_draws joint draws); null where none was estimated (the benchmark).';

-- Down Migration
alter table marketing.bandit_selections drop column probability_draws, drop column selection_probability;
