-- Dead letter queue: the Chairman and services read it; written only through
-- EVA's functions (eva_private.fn_record_event_delivery parks a dead letter,
-- fn_record_dlq_replay records a replay's result; the Chairman calls
-- eva.fn_dlq_replay / eva.fn_dlq_replay_all / eva.fn_dlq_drop).
alter table eva.eva_event_dlq enable row level security;

create policy "the Chairman and services read eva event dlq" on eva.eva_event_dlq
  for select to eva_chairman, eva_service using (true);

grant select on eva.eva_event_dlq to eva_chairman, eva_service;
-- Viewers may query it (the orchestration metrics views read it as the
-- caller) and, having no policy, see no dead letter.
grant select on eva.eva_event_dlq to eva_viewer;
