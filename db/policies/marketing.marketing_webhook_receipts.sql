-- Webhook receipts: the Chairman and services read them; only
-- marketing.fn_receive_webhook writes them.
alter table marketing.marketing_webhook_receipts enable row level security;

create policy "the Chairman and services read marketing webhook receipts" on marketing.marketing_webhook_receipts
  for select to eva_chairman, eva_service using (true);

grant select on marketing.marketing_webhook_receipts to eva_chairman, eva_service;
