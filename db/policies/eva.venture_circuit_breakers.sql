-- Circuit breakers: everyone signed in reads. Nobody writes them directly:
-- services trip and close them through eva_private.fn_circuit_permit /
-- fn_circuit_record, the Chairman resets one through eva.fn_circuit_reset
-- (audited), so every change of state has its event.
alter table eva.venture_circuit_breakers enable row level security;

create policy "the Chairman, services and viewers read venture circuit breakers" on eva.venture_circuit_breakers
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_circuit_breakers to eva_chairman, eva_service, eva_viewer;
