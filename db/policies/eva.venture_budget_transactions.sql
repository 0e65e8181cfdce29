-- Token ledger: everyone signed in reads; rows are written only by eva.fn_charge_tokens.
alter table eva.venture_budget_transactions enable row level security;

create policy "the Chairman, services and viewers read venture budget transactions" on eva.venture_budget_transactions
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_budget_transactions to eva_chairman, eva_service, eva_viewer;
