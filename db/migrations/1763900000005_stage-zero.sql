-- Up Migration

-- Stage 0 (spec §16): ideas the Chairman parked (the Venture Nursery), and the
-- Chairman's default thresholds for the Decision Filter Engine (spec §6).

create type eva.nursery_status as enum ('parked', 'editing', 'revived', 'dropped');

create table eva.venture_nursery (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null unique references eva.chairman_decisions (id),
  name text not null,
  brief jsonb not null,
  status eva.nursery_status not null default 'parked',
  reason text,
  review_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table eva.venture_nursery is
  'Warm storage for Stage 0 briefs the Chairman parked (or sent back for editing), with a date to review them again.';

-- Down Migration
drop table eva.venture_nursery;
drop type eva.nursery_status;
