-- Up Migration

-- The Reality Gate Retry saga (spec §15) keeps one open retry per venture: a
-- failed reality gate either continues the open saga or starts one, never a
-- second beside it.
create unique index eva_sagas_one_open_reality_retry on eva.eva_sagas (venture_id)
  where saga_type = 'reality_gate_retry' and status in ('active', 'paused');

-- Down Migration
drop index eva.eva_sagas_one_open_reality_retry;
