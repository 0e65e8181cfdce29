-- Orchestration metrics (spec §3): circuits not closed, per venture and
-- service, and when an open one may try again (opened_at + cooldown).
create or replace view eva.orchestration_open_circuits with (security_invoker = true) as
select b.venture_id, v.name as venture_name, b.service, b.state::text as state, b.consecutive_failures,
  b.opened_at, b.opened_at + b.cooldown as half_open_at, b.last_error, b.updated_at
from eva.venture_circuit_breakers b
join eva.ventures v on v.id = b.venture_id
where b.state <> 'closed'
order by b.opened_at;
comment on view eva.orchestration_open_circuits is
  'Circuit breakers open or half-open: venture, service, consecutive failures, when it opened and when it may half-open, the last error.';
grant select on eva.orchestration_open_circuits to eva_chairman, eva_service, eva_viewer;
