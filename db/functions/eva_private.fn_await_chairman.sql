-- A stage run that needs the Chairman: its work waits, and so does the venture.
create or replace function eva_private.fn_await_chairman(p_work eva.venture_stage_work, p_reason text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update eva.venture_stage_work set status = 'awaiting_decision' where id = p_work.id;
  perform pg_catalog.set_config('eva.change_reason', p_reason, true);
  update eva.ventures set status = 'awaiting_decision' where id = p_work.venture_id and status = 'active';
  perform pg_catalog.set_config('eva.change_reason', '', true);
end;
$$;
comment on function eva_private.fn_await_chairman(eva.venture_stage_work, text) is
  'Puts a stage run and its venture into awaiting_decision, with the reason in the venture''s history.';
