-- Worker heartbeats: internal; written through eva_private.fn_worker_heartbeat.
alter table eva_private.worker_heartbeats enable row level security;
