-- Up Migration

-- The Stage 3, 5 and 20 gate thresholds become Chairman preferences (spec §6,
-- §8.1, §8.5), so the Chairman, or a what-if (`eva gates replay --set`), can
-- move them. The seeds are the spec's numbers, the defaults of
-- src/gates/profiles.ts (DEFAULT_PROFILE.stage3/stage5/stage20); a value the
-- Chairman already stored under one of these keys is kept.
insert into eva.chairman_preferences (scope, key, value) values
  ('global', 'stage3_pass_threshold', '70'),
  ('global', 'stage3_kill_threshold', '50'),
  ('global', 'stage3_metric_floor', '50'),
  ('global', 'stage5_pass_roi', '0.25'),
  ('global', 'stage5_kill_roi', '0.15'),
  ('global', 'stage5_max_break_even_month', '24'),
  ('global', 'stage5_pass_ltv_cac', '2'),
  ('global', 'stage5_pass_payback_months', '18'),
  ('global', 'stage5_band_ltv_cac', '3'),
  ('global', 'stage5_band_payback_months', '12'),
  ('global', 'stage20_pass_rate_threshold', '95'),
  ('global', 'stage20_coverage_threshold', '60')
on conflict (scope, venture_id, key) do nothing;

-- Down Migration
delete from eva.chairman_preferences where scope = 'global' and key in
  ('stage3_pass_threshold', 'stage3_kill_threshold', 'stage3_metric_floor', 'stage5_pass_roi', 'stage5_kill_roi',
   'stage5_max_break_even_month', 'stage5_pass_ltv_cac', 'stage5_pass_payback_months', 'stage5_band_ltv_cac',
   'stage5_band_payback_months', 'stage20_pass_rate_threshold', 'stage20_coverage_threshold');
