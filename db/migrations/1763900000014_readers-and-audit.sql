-- Up Migration
-- Who reads what, and every write audited (spec §12):
-- 1. The Chairman preference keys EVA reads, with the values each accepts (the
--    DFE's in src/gates/dfe.ts, the gates' in src/gates/profiles.ts
--    PREFERENCE_KEYS, the SD bridge's timeout): a value outside them is refused
--    when it is written (eva_private.tg_chairman_preferences_guard) instead of
--    being found invalid when a gate reads it.
-- 2. Token budgets bounded: at most a billion tokens per budget row.
-- 3. A decision's notes are the Chairman's: earlier versions appended them to
--    the reason in venture_state_history, venture_stage_transitions, blocked
--    stage work and venture.* / stage.* events, which viewers read. They are
--    taken out of those rows here; they stay in eva.chairman_decisions, which
--    viewers cannot read.
create table eva.chairman_preference_keys (
  key text primary key check (key ~ '^[a-z][a-z0-9_]*$'),
  value_type text not null check (value_type in ('number', 'integer', 'choice', 'text')),
  min_value numeric,
  max_value numeric,
  choices text[],
  description text not null,
  -- A global value EVA needs is seeded and kept: it may be changed, never deleted.
  global_required boolean not null default false,
  check ((value_type in ('number', 'integer')) = (min_value is not null and max_value is not null)),
  check ((value_type = 'choice') = (choices is not null))
);
comment on table eva.chairman_preference_keys is
  'The Chairman preference keys EVA reads and the values each accepts (a number in a range, a whole number, one of a few choices, free text); keys not listed are stored unchecked.';

insert into eva.chairman_preference_keys (key, value_type, min_value, max_value, description) values
  ('cost_threshold', 'number', 0, 9007199254740991, 'Monthly spend (venture currency) a stage''s plan may commit without the Chairman.'),
  ('score_threshold', 'number', 0, 100, '0-100: a gate score below it escalates to the Chairman.'),
  ('novel_pattern_min_portfolio', 'integer', 0, 1000000, 'Novelty is judged once the portfolio knows at least this many patterns at the stage.'),
  ('sd_timeout_days', 'number', 0.001, 3650, 'Days an SD sprint may run before it times out (default 7).'),
  ('reality_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase; below it the gate fails, at every reality gate'),
  ('reality_target_quality_score', 'number', 0, 100, 'Target quality score (0-100); an artifact between the minimum and this makes the gate conditional, at every reality gate'),
  ('reality_stage5_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase at the 5→6 reality gate (wins over the all-boundaries key)'),
  ('reality_stage5_target_quality_score', 'number', 0, 100, 'Target quality score (0-100) of every artifact of the phase at the 5→6 reality gate (wins over the all-boundaries key)'),
  ('reality_stage9_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase at the 9→10 reality gate (wins over the all-boundaries key)'),
  ('reality_stage9_target_quality_score', 'number', 0, 100, 'Target quality score (0-100) of every artifact of the phase at the 9→10 reality gate (wins over the all-boundaries key)'),
  ('reality_stage12_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase at the 12→13 reality gate (wins over the all-boundaries key)'),
  ('reality_stage12_target_quality_score', 'number', 0, 100, 'Target quality score (0-100) of every artifact of the phase at the 12→13 reality gate (wins over the all-boundaries key)'),
  ('reality_stage16_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase at the 16→17 reality gate (wins over the all-boundaries key)'),
  ('reality_stage16_target_quality_score', 'number', 0, 100, 'Target quality score (0-100) of every artifact of the phase at the 16→17 reality gate (wins over the all-boundaries key)'),
  ('reality_stage20_min_quality_score', 'number', 0, 100, 'Minimum quality score (0-100) of every artifact of the phase at the 20→21 reality gate (wins over the all-boundaries key)'),
  ('reality_stage20_target_quality_score', 'number', 0, 100, 'Target quality score (0-100) of every artifact of the phase at the 20→21 reality gate (wins over the all-boundaries key)'),
  ('stage12_min_pipeline_coverage', 'number', 0, 100, 'Stage 12 economy check: weighted pipeline / Stage 5 year-1 revenue at or above which it passes (default 1.0)'),
  ('stage12_conditional_pipeline_coverage', 'number', 0, 100, 'Stage 12 economy check: coverage at or above which a shortfall is only conditional (default 0.5)'),
  ('stage13_now_horizon_months', 'integer', 1, 120, 'Stage 13 kill gate: months from the roadmap start within which every "now" milestone is due (default 9)'),
  ('stage13_max_horizon_months', 'integer', 1, 240, 'Stage 13 kill gate: months from the roadmap start within which every milestone is due (default 36)'),
  ('stage3_pass_threshold', 'number', 0, 100, 'Stage 3 kill gate: overall score (0-100) from which it passes (default 70)'),
  ('stage3_kill_threshold', 'number', 0, 100, 'Stage 3 kill gate: overall score (0-100) below which it kills; from it to the pass threshold it revises (default 50)'),
  ('stage3_metric_floor', 'number', 0, 100, 'Stage 3 kill gate: score (0-100) below which any one of the six metrics kills (default 50)'),
  ('stage5_pass_roi', 'number', -10, 100, 'Stage 5 kill gate: 3-year ROI (a fraction, 0.25 = 25%) from which it passes on the normal supplements (default 0.25)'),
  ('stage5_kill_roi', 'number', -10, 100, 'Stage 5 kill gate: 3-year ROI (a fraction) below which it kills; from it to the pass ROI is the band needing strong supplements (default 0.15)'),
  ('stage5_max_break_even_month', 'integer', 1, 600, 'Stage 5 kill gate: latest break-even month before it kills (default 24)'),
  ('stage5_pass_ltv_cac', 'number', 0, 1000, 'Stage 5 kill gate: LTV:CAC needed at or above the pass ROI (default 2)'),
  ('stage5_pass_payback_months', 'number', 0, 600, 'Stage 5 kill gate: longest payback (months) at or above the pass ROI (default 18)'),
  ('stage5_band_ltv_cac', 'number', 0, 1000, 'Stage 5 kill gate: LTV:CAC needed in the band between the kill and pass ROI (default 3)'),
  ('stage5_band_payback_months', 'number', 0, 600, 'Stage 5 kill gate: longest payback (months) in the band (default 12)'),
  ('stage20_pass_rate_threshold', 'number', 0, 100, 'Stage 20 quality gate: overall test pass rate (percent) it needs (default 95)'),
  ('stage20_coverage_threshold', 'number', 0, 100, 'Stage 20 quality gate: test coverage (percent) it needs (default 60)'),
  ('stage16_margin_tolerance', 'number', 0, 1, 'Stage 16 promotion gate: how far (a fraction, 0.02 = 2 points) gross margin may trail Stage 5''s (default 0.02)');
insert into eva.chairman_preference_keys (key, value_type, choices, description) values
  ('drift_escalation_severity', 'choice', '{LOW,MEDIUM,HIGH}', 'Constraint drift from the Stage 1 brief at or above it escalates.');
insert into eva.chairman_preference_keys (key, value_type, description) values
  ('approved_vendors', 'text', 'Comma-separated technologies and vendors the portfolio has vetted.');

update eva.chairman_preference_keys k set global_required = true
where exists (select 1 from eva.chairman_preferences p where p.scope = 'global' and p.key = k.key);

alter table eva.venture_token_budgets
  add constraint venture_token_budgets_budget_tokens_max check (budget_tokens <= 1000000000);
alter table eva.venture_phase_budgets
  add constraint venture_phase_budgets_budget_tokens_max check (budget_tokens <= 1000000000);
alter table eva.portfolio_ideation_budgets
  add constraint portfolio_ideation_budgets_budget_tokens_max check (budget_tokens <= 1000000000);

-- The notes were appended as 'Chairman decided "<decision>" at stage <n>: <notes>'.
do $$
declare
  v_pattern constant text := '^(Chairman decided "[a-z_]+" at stage [0-9]+): .*$';
  v_guarded boolean := exists (select 1 from pg_catalog.pg_trigger
    where tgname = '_010_refuse_change' and tgrelid = 'eva.venture_state_history'::regclass);
begin
  if v_guarded then
    alter table eva.venture_state_history disable trigger _010_refuse_change;
    alter table eva.venture_stage_transitions disable trigger _010_refuse_change;
    alter table eva.eva_event_log disable trigger _010_refuse_change;
  end if;
  update eva.venture_state_history set reason = pg_catalog.regexp_replace(reason, v_pattern, '\1', 's')
  where reason ~ v_pattern;
  update eva.venture_stage_transitions set reason = pg_catalog.regexp_replace(reason, v_pattern, '\1', 's')
  where reason ~ v_pattern;
  update eva.venture_stage_work set blocked_reason = pg_catalog.regexp_replace(blocked_reason, v_pattern, '\1', 's')
  where blocked_reason ~ v_pattern;
  update eva.eva_event_log
  set payload = pg_catalog.jsonb_set(payload, '{reason}',
    pg_catalog.to_jsonb(pg_catalog.regexp_replace(payload ->> 'reason', v_pattern, '\1', 's')))
  where payload ->> 'reason' ~ v_pattern;
  if v_guarded then
    alter table eva.venture_state_history enable trigger _010_refuse_change;
    alter table eva.venture_stage_transitions enable trigger _010_refuse_change;
    alter table eva.eva_event_log enable trigger _010_refuse_change;
  end if;
end
$$;

-- Down Migration
alter table eva.portfolio_ideation_budgets drop constraint portfolio_ideation_budgets_budget_tokens_max;
alter table eva.venture_phase_budgets drop constraint venture_phase_budgets_budget_tokens_max;
alter table eva.venture_token_budgets drop constraint venture_token_budgets_budget_tokens_max;
drop table eva.chairman_preference_keys;
