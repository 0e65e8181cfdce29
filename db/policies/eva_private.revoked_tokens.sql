-- Revoked token ids: internal; written by eva.fn_revoke_token (the Chairman), read by eva_private.fn_token_refused.
alter table eva_private.revoked_tokens enable row level security;
