-- A Stage 25 continue or exit makes the venture a template (spec §10), in
-- the decision's own transaction.
create or replace function eva_private.tg_chairman_decisions_template()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_template_extract(new.venture_id, new.decision);
  return null;
end;
$$;
comment on function eva_private.tg_chairman_decisions_template() is
  'Trigger: a decided venture_future continue or exit extracts the venture''s template (eva_private.fn_template_extract).';

create or replace trigger _820_template after update of status on eva.chairman_decisions
  for each row
  when (new.status = 'decided' and old.status is distinct from 'decided' and new.decision_type = 'venture_future'
    and new.decision in ('continue', 'exit') and new.venture_id is not null)
  execute function eva_private.tg_chairman_decisions_template();
