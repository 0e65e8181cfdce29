-- The instant before which tokens are refused: internal; written by eva.fn_revoke_all_tokens (the Chairman), read by eva_private.fn_token_refused.
alter table eva_private.token_epoch enable row level security;
