// Reading marketing content for the CLI (and anyone else): a venture's (or
// every venture's) content items, and one item with its live variants, its
// reviews and its lifecycle history. Runs under the caller's role (RLS).
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export interface ContentSummary {
  id: string;
  ventureId: string;
  venture: string;
  state: string;
  status: string;
  origin: string;
  cycle: number;
  generation: number;
  reviewLoops: number;
  variants: number;
  platforms: string[];
  conceptTags: string[];
  epistemic: string | null;
  createdAt: string;
  stateChangedAt: string;
}

interface SummaryRow {
  id: string;
  venture_id: string;
  venture: string;
  lifecycle_state: string;
  status: string;
  origin: string;
  cycle: number;
  generation: number;
  review_loops: number;
  variants: number;
  platforms: string[] | null;
  concept_tags: string[];
  epistemic: string | null;
  created_at: Date;
  state_changed_at: Date;
}

function summary(r: SummaryRow): ContentSummary {
  return {
    id: r.id,
    ventureId: r.venture_id,
    venture: r.venture,
    state: r.lifecycle_state,
    status: r.status,
    origin: r.origin,
    cycle: r.cycle,
    generation: r.generation,
    reviewLoops: r.review_loops,
    variants: r.variants,
    platforms: r.platforms ?? [],
    conceptTags: r.concept_tags,
    epistemic: r.epistemic,
    createdAt: new Date(r.created_at).toISOString(),
    stateChangedAt: new Date(r.state_changed_at).toISOString(),
  };
}

const SUMMARY = sql`
  select c.id, c.venture_id, v.name as venture, c.lifecycle_state, c.status, c.origin, c.cycle, c.generation,
    c.review_loops, c.concept_tags, c.created_at, c.state_changed_at, c.content_type, c.channel_family, c.blocked_reason,
    c.metadata,
    c.metadata #>> '{generation,epistemic_classification}' as epistemic,
    (select count(*)::int from marketing.marketing_content_variants cv
       where cv.content_id = c.id and cv.generation = c.generation) as variants,
    (select array_agg(distinct cv.platform order by cv.platform) from marketing.marketing_content_variants cv
       where cv.content_id = c.id and cv.generation = c.generation) as platforms
  from marketing.marketing_content c join eva.ventures v on v.id = c.venture_id`;

export async function listContent(db: Database, ventureId?: string): Promise<ContentSummary[]> {
  const { rows } = await sql<SummaryRow>`${SUMMARY}
    where ${ventureId ?? null}::uuid is null or c.venture_id = ${ventureId ?? null}::uuid
    order by c.created_at desc, c.id`.execute(db);
  return rows.map(summary);
}

export interface ContentVariant {
  id: string;
  variantKey: string;
  platform: string;
  headline: string;
  body: string;
  cta: string;
  visualBrief: string;
  assetText: string;
  generation: number;
}

export interface ContentReviewRecord {
  id: string;
  cycle: number;
  generation: number;
  passed: boolean;
  feedback: string[];
  epistemic: string;
  checks: { check: string; outcome: string; detail: string; platform?: string; variantKey?: string }[];
  createdAt: string;
}

export interface ContentTransitionRecord {
  from: string;
  to: string;
  cycle: number;
  detail: Record<string, unknown>;
  actor: string;
  eventId: string | null;
  at: string;
}

export interface ContentDetail extends ContentSummary {
  contentType: string;
  channelFamily: string;
  blockedReason: string | null;
  angle: string | null;
  provenance: unknown;
  /** The live (current generation's) variants. */
  variantList: ContentVariant[];
  review: ContentReviewRecord | null;
  reviews: ContentReviewRecord[];
  history: ContentTransitionRecord[];
}

export async function showContent(db: Database, contentId: string): Promise<ContentDetail | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(contentId)) return null;
  const { rows } = await sql<
    SummaryRow & {
      content_type: string;
      channel_family: string;
      blocked_reason: string | null;
      metadata: Record<string, unknown>;
    }
  >`${SUMMARY} where c.id = ${contentId}::uuid`.execute(db);
  const row = rows[0];
  if (!row) return null;
  const { rows: variants } = await sql<{
    id: string;
    variant_key: string;
    platform: string;
    headline: string;
    body: string;
    cta: string;
    visual_brief: string;
    asset_text: string;
    generation: number;
  }>`select id, variant_key, platform, headline, body, cta, visual_brief, asset_text, generation
     from marketing.marketing_content_variants where content_id = ${contentId}::uuid and generation = ${row.generation}
     order by platform, variant_key`.execute(db);
  const { rows: reviews } = await sql<{
    id: string;
    cycle: number;
    generation: number;
    passed: boolean;
    feedback: string[];
    epistemic_classification: string;
    checks: ContentReviewRecord["checks"];
    created_at: Date;
  }>`select id, cycle, generation, passed, feedback, epistemic_classification::text, checks, created_at
     from marketing.marketing_content_reviews where content_id = ${contentId}::uuid order by created_at, id`.execute(
    db,
  );
  const { rows: history } = await sql<{
    from_state: string;
    to_state: string;
    cycle: number;
    detail: Record<string, unknown>;
    actor: string;
    event_id: string | null;
    created_at: Date;
  }>`select from_state, to_state, cycle, detail, actor, event_id, created_at
     from marketing.marketing_content_transitions where content_id = ${contentId}::uuid order by id`.execute(db);
  const reviewList = reviews.map((r) => ({
    id: r.id,
    cycle: r.cycle,
    generation: r.generation,
    passed: r.passed,
    feedback: r.feedback,
    epistemic: r.epistemic_classification,
    checks: r.checks,
    createdAt: new Date(r.created_at).toISOString(),
  }));
  const generation = (row.metadata.generation ?? {}) as { angle?: string; provenance?: unknown };
  return {
    ...summary(row),
    contentType: row.content_type,
    channelFamily: row.channel_family,
    blockedReason: row.blocked_reason,
    angle: generation.angle ?? null,
    provenance: generation.provenance ?? null,
    variantList: variants.map((v) => ({
      id: v.id,
      variantKey: v.variant_key,
      platform: v.platform,
      headline: v.headline,
      body: v.body,
      cta: v.cta,
      visualBrief: v.visual_brief,
      assetText: v.asset_text,
      generation: v.generation,
    })),
    review: reviewList.filter((r) => r.generation === row.generation && r.cycle === row.cycle).at(-1) ?? null,
    reviews: reviewList,
    history: history.map((h) => ({
      from: h.from_state,
      to: h.to_state,
      cycle: h.cycle,
      detail: h.detail,
      actor: h.actor,
      eventId: h.event_id === null ? null : String(h.event_id),
      at: new Date(h.created_at).toISOString(),
    })),
  };
}
