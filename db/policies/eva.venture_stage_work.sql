-- Stage work: everyone signed in reads. Nobody writes a row directly: work
-- changes state only through the stage functions (eva.fn_begin_stage_run,
-- eva.fn_block_stage_work, eva.fn_retry_stage_work, eva.fn_record_stage_result,
-- eva.fn_record_gate_outcome, eva.fn_advance_venture_stage, eva.fn_rerun_stage,
-- eva.fn_sd_complete), each of which logs the change as an event.
alter table eva.venture_stage_work enable row level security;

create policy "the Chairman, services and viewers read venture stage work" on eva.venture_stage_work
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_stage_work to eva_chairman, eva_service, eva_viewer;
