// The Chairman's decision queue as the CLI (and later the API) reads and
// decides it. Deciding always goes through eva.fn_decide.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import type { SynthesizedBrief } from "../ideation/brief.ts";
import { chargeIdeation } from "../ideation/budget.ts";

export interface DecisionSummary {
  id: string;
  ventureId: string | null;
  venture: string | null;
  stage: number;
  type: string;
  status: string;
  decision: string | null;
  recommendedAction: string | null;
  urgency: string;
  createdAt: Date;
  /** Why it is in the queue, in one line (eva.chairman_decisions.reason, or eva.fn_decision_reason for older rows). */
  reason: string | null;
}

/** One headed section of the readable summary (eva.chairman_decisions_summary). */
export interface SummarySection {
  heading: string;
  lines: string[];
}

export interface DecisionDetail extends DecisionSummary {
  context: unknown;
  artifactType: string | null;
  artifactVersion: number | null;
  notes: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  options: { decision: string; outcome: string; description: string }[];
  /** The synthesized stage output for a person, computed in SQL for every client. */
  summary: SummarySection[];
  /** The allowed decisions, recommended first, with what each does to this venture (eva.chairman_decisions_choices). */
  choices: { decision: string; outcome: string; effect: string; recommended: boolean }[];
}

function base(db: Database) {
  return db
    .selectFrom("chairman_decisions as d")
    .leftJoin("ventures as v", "v.id", "d.venture_id")
    .select([
      "d.id",
      "d.venture_id as ventureId",
      sql<string | null>`coalesce(v.name, d.context -> 'brief' ->> 'name')`.as("venture"),
      "d.lifecycle_stage as stage",
      "d.decision_type as type",
      "d.status",
      "d.decision",
      "d.recommended_action as recommendedAction",
      "d.urgency",
      "d.created_at as createdAt",
      sql<string | null>`coalesce(d.reason, eva.fn_decision_reason(d.decision_type, d.lifecycle_stage, d.context))`.as(
        "reason",
      ),
    ]);
}

/**
 * The pending decisions as eva.decision_queue ranks them (the view's own order, as the dashboard lists them);
 * with `all` every decision, oldest first; with another `status` those, oldest first.
 */
export async function listDecisions(
  db: Database,
  filter: { status?: string; all?: boolean } = {},
): Promise<DecisionSummary[]> {
  if (!filter.all && (filter.status ?? "pending") === "pending") {
    // No order by here: the view's ranking is the order (one rule, in SQL).
    const ranked = await db
      .selectFrom("decision_queue as q")
      .select([
        "q.decision_id as id",
        "q.venture_id as ventureId",
        "q.venture_name as venture",
        "q.lifecycle_stage as stage",
        "q.decision_type as type",
        sql<string>`'pending'`.as("status"),
        sql<string | null>`null::text`.as("decision"),
        "q.recommended_action as recommendedAction",
        "q.urgency",
        "q.created_at as createdAt",
        "q.reason",
      ])
      .execute();
    return ranked as DecisionSummary[];
  }
  let query = base(db).orderBy("d.created_at");
  if (!filter.all) query = query.where("d.status", "=", (filter.status ?? "pending") as never);
  return (await query.execute()) as DecisionSummary[];
}

export async function getDecision(db: Database, id: string): Promise<DecisionDetail | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await base(db)
    .select([
      "d.context",
      "d.artifact_type as artifactType",
      "d.artifact_version as artifactVersion",
      "d.notes",
      "d.decided_by as decidedBy",
      "d.decided_at as decidedAt",
    ])
    .where("d.id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const options = await db
    .selectFrom("chairman_decision_options")
    .select(["decision", "outcome", "description"])
    .where("decision_type", "=", row.type)
    .orderBy("decision")
    .execute();
  const people = await sql<{ summary: SummarySection[]; choices: DecisionDetail["choices"] }>`
    select
      coalesce((select jsonb_agg(jsonb_build_object('heading', s.heading, 'lines', to_jsonb(s.lines)))
                from eva.chairman_decisions_summary(d) s), '[]') as summary,
      coalesce((select jsonb_agg(to_jsonb(c)) from eva.chairman_decisions_choices(d) c), '[]') as choices
    from eva.chairman_decisions d where d.id = ${id}::uuid`.execute(db);
  const { summary = [], choices = [] } = people.rows[0] ?? {};
  return { ...(row as Omit<DecisionDetail, "options" | "summary" | "choices">), options, summary, choices };
}

/** "approve" and "reject" in each decision type's own words (spec §11). */
const VERBS: Record<string, { approve: string; reject: string }> = {
  venture_review: { approve: "approve", reject: "kill" },
  brand_approval: { approve: "approve", reject: "reject" },
  release_decision: { approve: "release", reject: "cancel" },
  venture_future: { approve: "continue", reject: "sunset" },
  dfe_escalation: { approve: "proceed", reject: "block" },
};

export function decisionForVerb(type: string, verb: "approve" | "reject"): string {
  const words = VERBS[type];
  if (!words) throw new Error(`no ${verb} is defined for decision type ${type}`);
  return words[verb];
}

export async function decide(db: Database, id: string, decision: string, notes?: string): Promise<DecisionDetail> {
  await sql`select eva.fn_decide(${id}::uuid, ${decision}, ${notes ?? null})`.execute(db);
  const decided = await getDecision(db, id);
  if (!decided) throw new Error(`decision ${id} vanished after deciding`);
  return decided;
}

/**
 * Runs a decision (`run` calls decide) inside an `eva.chairman.decide` span,
 * exported from this process as eva-cli, when an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT); otherwise just runs it and loads no tracing
 * code, so the command starts as fast as before.
 */
export async function tracedDecision(decisionId: string, run: () => Promise<DecisionDetail>): Promise<DecisionDetail> {
  const env = process.env;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()) return run();
  const { ATTR, withSpan, withTracing } = await import("../orchestration/tracing.ts");
  return withTracing("cli", () =>
    withSpan("eva.chairman.decide", { "eva.via": "cli", [ATTR.decisionId]: decisionId }, async (span) => {
      const decided = await run();
      span.setAttributes({
        [ATTR.decision]: decided.decision ?? "",
        [ATTR.outcome]: "decided",
        [ATTR.stage]: decided.stage,
        ...(decided.ventureId ? { [ATTR.ventureId]: decided.ventureId } : {}),
      });
      return decided;
    }),
  );
}

/**
 * Opens the Chairman's Stage 0 review of a synthesized brief (spec §16) and
 * charges its tokens to the portfolio's ideation budget; `db` acts as
 * eva_service, which opens decisions. Returns the decision id.
 */
export async function openVentureReview(
  db: Database,
  synthesized: SynthesizedBrief,
  charge: { portfolioId: string },
): Promise<string> {
  const { brief, provenance, epistemic, usage } = synthesized;
  const row = await db
    .insertInto("chairman_decisions")
    .values({
      lifecycle_stage: 0,
      decision_type: "venture_review",
      recommended_action: brief.maturity === "ready" ? "approve" : "park",
      context: JSON.stringify({ brief, provenance, epistemic }),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (usage.promptTokens + usage.completionTokens > 0) {
    await chargeIdeation(db, { portfolioId: charge.portfolioId, decisionId: row.id, usage, provenance });
  }
  return row.id;
}
