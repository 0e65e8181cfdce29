-- Up Migration

-- Agent tool policy (spec §12, §13 Phase C item 13): EVA's analysis agents
-- each have a tool profile (full, coding, readonly, minimal); every tool call
-- an analysis makes is checked against it when it is made
-- (eva.fn_tool_permit) and recorded (eva.tool_calls), refused or not.
create table eva.agent_tools (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  description text not null,
  access text not null check (access in ('read', 'network', 'write'))
);
comment on table eva.agent_tools is
  'The tools an analysis agent may be given: read (EVA''s data), network (the public web), write (changes EVA''s data).';

create table eva.tool_profiles (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  description text not null
);
comment on table eva.tool_profiles is 'Tool profiles (spec §12): which tools an agent with the profile may call.';

create table eva.tool_profile_tools (
  profile text not null references eva.tool_profiles (name) on delete cascade,
  tool text not null references eva.agent_tools (name),
  primary key (profile, tool)
);
comment on table eva.tool_profile_tools is 'The tools each tool profile allows (one row per profile and tool).';

create table eva.analysis_agents (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  description text not null,
  profile text not null references eva.tool_profiles (name),
  updated_at timestamptz not null default now()
);
comment on table eva.analysis_agents is
  'EVA''s analysis agents and the tool profile each runs under; the Chairman reassigns one with eva.fn_tool_assign (eva tools assign).';

create table eva.tool_calls (
  id bigint generated always as identity primary key,
  agent text not null,
  tool text not null,
  profile text,
  allowed boolean not null,
  reason text not null,
  venture_id uuid references eva.ventures (id) on delete set null,
  ok boolean,
  error text,
  duration_ms numeric check (duration_ms >= 0),
  bytes bigint check (bytes >= 0),
  detail jsonb not null default '{}',
  created_at timestamptz not null default now(),
  check (allowed or ok is null)
);
comment on table eva.tool_calls is
  'Every tool call an analysis agent made or was refused: the profile it was checked against, why, how long it took and how many bytes it returned.';
comment on column eva.tool_calls.ok is 'Whether an allowed call succeeded (null for a refused call, which never ran).';
create index tool_calls_agent_idx on eva.tool_calls (agent, id desc);
create index tool_calls_venture_idx on eva.tool_calls (venture_id) where venture_id is not null;

insert into eva.agent_tools (name, description, access) values
  ('read_venture', 'Read a venture''s context and its current artifacts', 'read'),
  ('search', 'Search every venture''s names, briefs, artifacts and learnings (eva.fn_search)', 'read'),
  ('fetch_url', 'Fetch a public web page (deadline, byte cap, redirect limit; no private addresses)', 'network'),
  ('write_artifact', 'Record a new version of a venture''s artifact', 'write');

insert into eva.tool_profiles (name, description) values
  ('full', 'Every tool: EVA''s orchestrator'),
  ('coding', 'Read, search and write EVA''s data; no web: implementation-focused agents'),
  ('readonly', 'Read, search and fetch public pages; writes nothing: research agents'),
  ('minimal', 'Read and search only: validation agents');

insert into eva.tool_profile_tools (profile, tool) values
  ('full', 'read_venture'), ('full', 'search'), ('full', 'fetch_url'), ('full', 'write_artifact'),
  ('coding', 'read_venture'), ('coding', 'search'), ('coding', 'write_artifact'),
  ('readonly', 'read_venture'), ('readonly', 'search'), ('readonly', 'fetch_url'),
  ('minimal', 'read_venture'), ('minimal', 'search');

insert into eva.analysis_agents (name, description, profile) values
  ('orchestrator', 'EVA''s conductor: runs stages, records results', 'full'),
  ('stage_analyst', 'A stage''s analysisStep (Stages 1-25)', 'coding'),
  ('marketing_generator', 'The marketing content generator', 'coding'),
  ('ideation_analyst', 'Stage 0''s synthesis of a venture brief', 'readonly'),
  ('competitor_teardown', 'Stage 0''s competitor teardown: fetches competitors'' pages', 'readonly'),
  ('devils_advocate', 'The adversarial reviewer at the gates', 'readonly'),
  ('retrospective_analyst', 'The post-mortem of a retired venture', 'minimal'),
  ('gate_validator', 'Validation-only checks of a stage''s output', 'minimal');

-- Search across ventures (issue 14 point 8, spec §13 Phase C item 15): one row
-- per searchable document (a venture's name and fields, a brief, a current
-- artifact, a retrospective's learnings), kept current by triggers on their
-- tables, with a weighted tsvector (A venture name, B title, C text, D labels)
-- and trigram similarity on the title. pg_trgm lives in eva_ext, qualified as eva_ext.*.
create schema if not exists eva_ext;
create extension if not exists pg_trgm with schema eva_ext;
grant usage on schema eva_ext to eva_chairman, eva_service, eva_viewer;

create table eva.search_documents (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('name', 'brief', 'artifact', 'learning')),
  source_table text not null,
  source_id text not null,
  venture_id uuid references eva.ventures (id) on delete cascade,
  lifecycle_stage int check (lifecycle_stage between 0 and 25),
  title text not null,
  body text not null,
  document tsvector not null,
  updated_at timestamptz not null default now(),
  unique (source_table, source_id)
);
comment on table eva.search_documents is
  'The cross-venture search index: names, briefs, current artifacts and learnings, kept current by triggers; read through eva.fn_search.';
comment on column eva.search_documents.document is
  'Weighted tsvector (english): A the venture''s name, B the title, C the text, D labels (kind, stage, archetype).';
create index search_documents_document_idx on eva.search_documents using gin (document);
create index search_documents_title_trgm_idx on eva.search_documents using gin (title eva_ext.gin_trgm_ops);
create index search_documents_venture_idx on eva.search_documents (venture_id, lifecycle_stage);

-- Embeddings (pgvector) only where the server has the extension and this
-- role may create it; otherwise search is keyword-only (PostgreSQL 15 here,
-- the embedded 18: neither ships pgvector).
do $$
begin
  if exists (select 1 from pg_catalog.pg_available_extensions where name = 'vector') then
    begin
      create extension if not exists vector with schema eva_ext;
      alter table eva.search_documents add column embedding eva_ext.vector, add column embedding_model text;
      insert into eva_private.settings (key, value, description)
      values ('search.embeddings', 'true', 'pgvector is installed: search documents carry embeddings (search_embed).')
      on conflict (key) do update set value = excluded.value;
    exception when insufficient_privilege or feature_not_supported then
      raise notice 'pgvector is available but could not be installed (%): search stays keyword-only', sqlerrm;
    end;
  end if;
end
$$;
insert into eva_private.settings (key, value, description)
values ('search.embeddings', 'false', 'pgvector is not installed: search is keyword-only.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key = 'search.embeddings';
drop table eva.search_documents;
drop table eva.tool_calls, eva.analysis_agents, eva.tool_profile_tools, eva.tool_profiles, eva.agent_tools;
