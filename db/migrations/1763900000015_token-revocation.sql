-- Up Migration

-- Bearer tokens carry a token id (jti); the Chairman revokes one by its id, or
-- every token issued before an instant (`eva chairman revoke <jti> | --all`).
-- The API asks eva_private.fn_token_refused once per request.
create table eva_private.revoked_tokens (
  jti uuid primary key,
  revoked_at timestamptz not null default now(),
  revoked_by text not null
);
comment on table eva_private.revoked_tokens is
  'Token ids (jti) the Chairman revoked: the API refuses a token whose jti is here.';

create table eva_private.token_epoch (
  singleton boolean primary key default true check (singleton),
  not_before timestamptz not null check (not_before = pg_catalog.date_trunc('second', not_before)),
  set_at timestamptz not null default now(),
  set_by text not null
);
comment on table eva_private.token_epoch is
  'One row at most: tokens issued (iat) before not_before are refused (eva chairman revoke --all).';

-- The start banner's sign-in link: a one-time code, valid a few minutes, that
-- the API exchanges for a session token. Only its SHA-256 is stored.
create table eva_private.sign_in_codes (
  code_hash text primary key check (code_hash ~ '^[0-9a-f]{64}$'),
  role text not null check (role in ('eva_chairman', 'eva_viewer')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  check (expires_at > created_at)
);
comment on table eva_private.sign_in_codes is
  'One-time sign-in codes (SHA-256 of the code): exchanged once, before expires_at, for a session token.';

-- Down Migration
drop table eva_private.sign_in_codes;
drop table eva_private.token_epoch;
drop table eva_private.revoked_tokens;
