-- A venture that ends while a reality gate retry is open (killed at another
-- gate, or by the Chairman) leaves no saga waiting for it: the retry ends
-- failed, with the venture's end in its context. The saga's own kill has
-- already ended it.
create or replace function eva_private.tg_reality_retry_venture_ended()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update eva.eva_sagas s
  set status = 'failed', current_step = 'venture_ended', completed_at = pg_catalog.now(),
      context = s.context || pg_catalog.jsonb_build_object('venture_ended', new.status,
        'reason', nullif(pg_catalog.current_setting('eva.change_reason', true), ''))
  where s.venture_id = new.id and s.saga_type = 'reality_gate_retry' and s.status in ('active', 'paused');
  return null;
end;
$$;
comment on function eva_private.tg_reality_retry_venture_ended() is
  'Trigger: ends (failed) an open reality_gate_retry saga of a venture that was killed, sunset or exited.';

create or replace trigger _810_reality_retry_venture_ended after update of status on eva.ventures
  for each row when (new.status in ('killed', 'sunset', 'exited') and old.status is distinct from new.status)
  execute function eva_private.tg_reality_retry_venture_ended();
