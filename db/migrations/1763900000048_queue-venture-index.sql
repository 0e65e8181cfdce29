-- Up Migration

-- eva.decision_queue reads three columns of each waiting venture (its name, the
-- stored part of its priority and when it entered its stage). Ventures are wide
-- and often rewritten (every stage move, every priority change), so their heap
-- is many pages for few rows: at 689 ventures, 804 pages read to hash the join
-- on every queue read. This index holds just those columns, so the queue reads
-- a few index pages instead (an index-only scan where the visibility map allows).
create index ventures_queue_columns_idx on eva.ventures (id) include (name, priority_base, stage_entered_at);

-- Down Migration
drop index if exists eva.ventures_queue_columns_idx;
