-- Up Migration

-- Media (spec §17.2, §17.3, §17.13): the content-addressed asset store's
-- records, per-venture brand templates (versioned, exact pixel boxes for the
-- overlay), the providers' price list, image and video generations as a state
-- machine polled by jobs, each content item's tier (standard | hero: Veo only
-- for hero), per-venture monthly media budgets (image and I2V), and the
-- providers' calls charged to the existing spend ledger.
create schema if not exists marketing authorization eva_owner;

-- An asset's bytes live in the asset store (EVA_ASSET_DIR, by sha256); the row says what they are and where they came from.
create table marketing.assets (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  kind text not null check (kind in ('image', 'video', 'logo', 'reference')),
  mime text not null check (mime ~ '^[a-z]+/[a-z0-9.+-]+$'),
  bytes bigint not null check (bytes > 0),
  width int check (width > 0),
  height int check (height > 0),
  -- Who made it: 'upload', 'gemini', 'kling', 'veo', 'runway', 'offline' (the deterministic renderer), 'overlay'.
  provider text not null check (provider ~ '^[a-z0-9_-]{1,40}$'),
  model text,
  -- The offline renderer's output is a simulation, never a provider's image (labelled so everywhere).
  simulation boolean not null default false,
  label text not null default 'fact' check (label in ('fact', 'simulation')),
  variant_id uuid references marketing.marketing_content_variants (id),
  -- The asset this one was derived from (an overlay's base image, a video's source frame).
  derived_from uuid references marketing.assets (id),
  template_id uuid,
  generation_id uuid,
  provenance jsonb not null default '{}' check (pg_catalog.jsonb_typeof(provenance) = 'object'),
  created_at timestamptz not null default now(),
  unique (venture_id, sha256),
  check (simulation = (label = 'simulation'))
);
comment on table marketing.assets is
  'A venture''s media (spec §17.2): images, videos, logos and reference images, content-addressed by sha256 (the file is <EVA_ASSET_DIR>/<sha256[0:2]>/<sha256>), with mime, size, dimensions and provenance (provider, model; simulation = made by the offline renderer, label simulation). One row per venture and content: the same bytes recorded twice are one asset. Written by marketing.fn_record_asset.';
create index assets_venture_idx on marketing.assets (venture_id, kind, created_at);
create index assets_variant_idx on marketing.assets (variant_id) where variant_id is not null;

-- A venture's brand template: exact pixel boxes on a canvas. Versions are never changed; a new one is written.
create table marketing.brand_templates (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  version int not null check (version >= 1),
  canvas_width int not null check (canvas_width between 64 and 8192),
  canvas_height int not null check (canvas_height between 64 and 8192),
  logo_asset_id uuid references marketing.assets (id),
  logo_x int check (logo_x >= 0),
  logo_y int check (logo_y >= 0),
  logo_w int check (logo_w > 0),
  logo_h int check (logo_h > 0),
  cta_text text check (char_length(cta_text) between 1 and 60),
  cta_x int check (cta_x >= 0),
  cta_y int check (cta_y >= 0),
  cta_w int check (cta_w > 0),
  cta_h int check (cta_h > 0),
  cta_bg text not null default '#1a56db' check (cta_bg ~ '^#[0-9a-fA-F]{6}$'),
  cta_fg text not null default '#ffffff' check (cta_fg ~ '^#[0-9a-fA-F]{6}$'),
  legal_text text check (char_length(legal_text) between 1 and 300),
  legal_x int check (legal_x >= 0),
  legal_y int check (legal_y >= 0),
  legal_size int not null default 14 check (legal_size between 6 and 96),
  legal_color text not null default '#ffffff' check (legal_color ~ '^#[0-9a-fA-F]{6}$'),
  watermark_text text check (char_length(watermark_text) between 1 and 60),
  watermark_opacity numeric not null default 0.25 check (watermark_opacity > 0 and watermark_opacity <= 1),
  created_by text not null,
  created_at timestamptz not null default now(),
  unique (venture_id, version),
  check ((logo_asset_id is null) = (logo_x is null) and (logo_x is null) = (logo_y is null)
    and (logo_y is null) = (logo_w is null) and (logo_w is null) = (logo_h is null)),
  check (logo_x is null or (logo_x + logo_w <= canvas_width and logo_y + logo_h <= canvas_height)),
  check ((cta_text is null) = (cta_x is null) and (cta_x is null) = (cta_y is null)
    and (cta_y is null) = (cta_w is null) and (cta_w is null) = (cta_h is null)),
  check (cta_x is null or (cta_x + cta_w <= canvas_width and cta_y + cta_h <= canvas_height)),
  check ((legal_text is null) = (legal_x is null) and (legal_x is null) = (legal_y is null)),
  check (legal_x is null or (legal_x < canvas_width and legal_y < canvas_height))
);
comment on table marketing.brand_templates is
  'Per-venture brand templates for the deterministic overlay (spec §17.2): canvas size, the logo asset at an exact box (x, y, w, h), the CTA button''s box, text and colours, the legal text''s position, size and colour, a watermark. Versioned: marketing.fn_set_brand_template writes version n+1; the latest version is the venture''s template.';

-- What one unit of a provider's output costs (cents). Price-list values are assumptions until an invoice says otherwise.
create table marketing.media_prices (
  provider text not null check (provider in ('gemini', 'kling', 'veo', 'runway', 'offline')),
  model text not null check (char_length(model) between 1 and 100),
  unit text not null check (unit in ('image', 'second')),
  cents_per_unit numeric not null check (cents_per_unit >= 0),
  basis text not null default 'assumption' check (basis in ('assumption', 'fact')),
  source text not null default 'default',
  updated_at timestamptz not null default now(),
  primary key (provider, model, unit)
);
comment on table marketing.media_prices is
  'Media providers'' prices per unit (an image, a second of video) in cents (spec §17.2, §17.3); basis assumption (a published price list) or fact (an invoice).';
insert into marketing.media_prices (provider, model, unit, cents_per_unit, source) values
  ('gemini', 'gemini-3-pro-image-preview', 'image', 6.7, 'spec §17.2: Nano Banana Pro, $0.067/image (2K batch)'),
  ('kling', 'kling-v3', 'second', 7.0, 'spec §17.3: Kling 3.0, $0.056-0.070/s (the upper end)'),
  ('veo', 'veo-3.1-generate-preview', 'second', 40, 'spec §17.3: Veo 3.1 Standard, $0.40/s'),
  ('runway', 'gen4_turbo', 'second', 5, 'spec §17.3: Runway Gen-4 Turbo, $0.05/s'),
  ('offline', 'offline-renderer', 'image', 0, 'the deterministic local renderer (simulation)');

-- Per venture and kind, a monthly cap in cents (image generation; I2V video). No row: the default setting.
create table marketing.media_budgets (
  venture_id uuid not null references eva.ventures (id),
  kind text not null check (kind in ('image', 'video')),
  monthly_budget_cents bigint not null check (monthly_budget_cents >= 0),
  set_by text not null,
  updated_at timestamptz not null default now(),
  primary key (venture_id, kind)
);
comment on table marketing.media_budgets is
  'The media budget governors (spec §17.3): per venture a monthly cap in cents for image generation and for image-to-video. Spend is the month''s spend-ledger rows of the kind plus what generations in flight may still cost. Without a row the settings marketing.media_default_image_budget_cents / marketing.media_default_video_budget_cents apply.';

-- A content item's tier: Veo is used only for 'hero' content (spec §17.3), set by the optimizer or the Chairman.
alter table marketing.marketing_content
  add column content_tier text not null default 'standard' check (content_tier in ('standard', 'hero'));
comment on column marketing.marketing_content.content_tier is
  'standard | hero. Video for hero content goes to Veo; everything else to Kling (spec §17.3). Set with marketing.fn_set_content_tier.';

-- One image or video generation: requested → submitted → polling → succeeded | failed (refused: over budget).
create table marketing.media_generations (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  variant_id uuid references marketing.marketing_content_variants (id),
  kind text not null check (kind in ('image', 'video')),
  content_tier text not null default 'standard' check (content_tier in ('standard', 'hero')),
  status text not null default 'requested'
    check (status in ('requested', 'submitted', 'polling', 'succeeded', 'failed', 'refused')),
  prompt text not null check (char_length(prompt) between 1 and 4000),
  -- Video: the image the clip starts from, its length; image: the template the overlay applies.
  source_asset_id uuid references marketing.assets (id),
  duration_seconds int check (duration_seconds between 1 and 60),
  aspect_ratio text not null default '16:9' check (aspect_ratio ~ '^[0-9]{1,2}:[0-9]{1,2}$'),
  template_id uuid references marketing.brand_templates (id),
  -- The provider now in charge and its job; every provider tried, with how it failed.
  provider text check (provider in ('gemini', 'kling', 'veo', 'runway', 'offline')),
  model text,
  provider_job_id text,
  providers_tried jsonb not null default '[]' check (pg_catalog.jsonb_typeof(providers_tried) = 'array'),
  attempts int not null default 0 check (attempts >= 0),
  polls int not null default 0 check (polls >= 0),
  next_poll_at timestamptz,
  -- What the budget governor reserved for it, and what was charged (spend ledger).
  estimated_cost_cents numeric not null default 0 check (estimated_cost_cents >= 0),
  cost_cents numeric check (cost_cents >= 0),
  result_asset_id uuid references marketing.assets (id),
  last_error text,
  requested_by text not null,
  created_at timestamptz not null default now(),
  submitted_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now(),
  check (kind <> 'video' or duration_seconds is not null),
  check ((status in ('succeeded', 'failed', 'refused')) = (finished_at is not null)),
  check (status <> 'succeeded' or result_asset_id is not null),
  check (status not in ('submitted', 'polling') or (provider is not null)),
  check (status <> 'polling' or (provider_job_id is not null and next_poll_at is not null))
);
comment on table marketing.media_generations is
  'Image and video generations (spec §17.2, §17.3): requested → submitted → polling → succeeded | failed, or refused by the budget governor. Video routes to Kling by default, Veo for hero content, Runway only after both failed with provider errors; a job polls the provider''s long-running task with backoff (next_poll_at), never a worker waiting. providers_tried keeps each failure. Changed only through marketing''s media functions.';
create index media_generations_venture_idx on marketing.media_generations (venture_id, created_at);
create index media_generations_open_idx on marketing.media_generations (next_poll_at)
  where status in ('requested', 'submitted', 'polling');

alter table marketing.assets
  add constraint assets_template_fk foreign key (template_id) references marketing.brand_templates (id),
  add constraint assets_generation_fk foreign key (generation_id) references marketing.media_generations (id);

-- Every media provider call's cost goes to the same spend ledger as the platforms' (platform = the provider).
alter table marketing.marketing_spend_ledger
  add column media_generation_id uuid references marketing.media_generations (id),
  add constraint marketing_spend_ledger_media_call unique (media_generation_id, attempt);
create index marketing_spend_ledger_media_idx on marketing.marketing_spend_ledger (media_generation_id)
  where media_generation_id is not null;
comment on column marketing.marketing_spend_ledger.media_generation_id is
  'The media generation a provider call belonged to (platform is then the provider: gemini, kling, veo, runway).';

insert into eva_private.settings (key, value, description) values
  ('marketing.media_default_image_budget_cents', '2000', 'A venture''s monthly image-generation budget when the Chairman set none: $20.'),
  ('marketing.media_default_video_budget_cents', '5000', 'A venture''s monthly image-to-video budget when the Chairman set none: $50.'),
  ('marketing.media_poll_first_seconds', '10', 'Seconds after a video is submitted before its first status poll.'),
  ('marketing.media_poll_max_seconds', '300', 'The longest wait between two polls of a video (the backoff doubles up to it).'),
  ('marketing.media_max_polls', '120', 'Polls after which a video that never finished is failed.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key in ('marketing.media_default_image_budget_cents',
  'marketing.media_default_video_budget_cents', 'marketing.media_poll_first_seconds', 'marketing.media_poll_max_seconds',
  'marketing.media_max_polls');
alter table marketing.marketing_spend_ledger drop column media_generation_id;
alter table marketing.assets drop constraint assets_template_fk, drop constraint assets_generation_fk;
drop table marketing.media_generations, marketing.media_budgets, marketing.media_prices, marketing.brand_templates,
  marketing.assets;
alter table marketing.marketing_content drop column content_tier;
