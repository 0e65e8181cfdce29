-- Up Migration

-- Measured venture metrics (spec §5 ops loop, §8.6, §7.1 "do not fabricate
-- evidence"): what was observed after launch, with where it came from. Stage 24
-- reads them as facts; the model only interprets them. Append-only: a
-- correction is a new row (the latest recorded observation of a metric at the
-- same time wins), so every number Stage 24 used stays on record.

create type eva.aarrr_category as enum ('acquisition', 'activation', 'retention', 'revenue', 'referral');

create table eva.venture_metrics (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  category eva.aarrr_category not null,
  metric_name text not null check (char_length(metric_name) between 1 and 200 and metric_name = btrim(metric_name)),
  value numeric not null check (value <> 'NaN'::numeric),
  observed_at timestamptz not null,
  source text not null check (char_length(source) between 1 and 500 and source = btrim(source)),
  source_ref text check (source_ref is null or char_length(source_ref) between 1 and 500),
  criterion_ref text check (criterion_ref is null or char_length(criterion_ref) between 1 and 200),
  batch_id uuid not null,
  recorded_at timestamptz not null default now(),
  recorded_by text not null default current_user
);
comment on table eva.venture_metrics is
  'Measured venture metrics (AARRR), append-only: one row per observation, written only by eva.fn_record_venture_metrics; a correction is a new row. Stage 24 reads them as facts.';
comment on column eva.venture_metrics.category is 'The AARRR stage the metric belongs to.';
comment on column eva.venture_metrics.metric_name is 'The metric, e.g. "Week-4 retention (%)"; metrics with the same name (case-insensitive) are one series.';
comment on column eva.venture_metrics.value is 'The measured value, in the unit the name states.';
comment on column eva.venture_metrics.observed_at is 'When the value was observed (measured), not when it was recorded; it places the value in an ops cycle.';
comment on column eva.venture_metrics.source is
  'Where the value comes from, in words a reader can check: "manual (eva metrics record)", "import metrics.csv (eva metrics import)", or a platform such as "posthog" or "stripe" for an ingest.';
comment on column eva.venture_metrics.source_ref is
  'The source''s own id for the observation (an ingest''s event or report id); unique per venture and source, so a re-delivered observation is refused rather than counted twice.';
comment on column eva.venture_metrics.criterion_ref is 'The Stage 23 success criterion (its metric) this value measures, or null.';
comment on column eva.venture_metrics.batch_id is 'One call of eva.fn_record_venture_metrics: the rows recorded together, all or none.';
create index venture_metrics_series_idx on eva.venture_metrics (venture_id, lower(metric_name), observed_at);
create index venture_metrics_observed_idx on eva.venture_metrics (venture_id, observed_at);
create unique index venture_metrics_source_ref_key on eva.venture_metrics (venture_id, source, source_ref)
  where source_ref is not null;

-- Down Migration
drop table eva.venture_metrics;
drop type eva.aarrr_category;
