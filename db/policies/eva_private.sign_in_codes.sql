-- One-time sign-in codes: internal; written by eva_private.fn_issue_sign_in_code, used by eva_private.fn_redeem_sign_in_code.
alter table eva_private.sign_in_codes enable row level security;
