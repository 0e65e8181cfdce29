-- Operational defaults: internal; read by security-definer functions only.
alter table eva_private.settings enable row level security;
