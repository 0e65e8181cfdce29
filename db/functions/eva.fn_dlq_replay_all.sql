-- `eva dlq replay --all`: one replay of every pending dead letter that can be
-- replayed (not already queued, with a delivery), in one transaction.
create or replace function eva.fn_dlq_replay_all()
returns setof eva.eva_event_dlq
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  select r.* from (
    select q.id from eva.eva_event_dlq q
    where q.status = 'pending' and q.replay_status is distinct from 'queued' and q.delivery_id is not null
    order by q.id for update
  ) p, lateral eva.fn_dlq_replay(p.id) r;
$$;
comment on function eva.fn_dlq_replay_all() is
  'Queues one replay of every pending dead letter that has no replay queued; returns the rows replayed.';
grant execute on function eva.fn_dlq_replay_all() to eva_chairman, eva_service;
