// Ventures as the CLI and the API read and create them. Creation goes through
// eva.fn_create_venture, so the database holds the rules whoever calls.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import type { DraftIdea } from "../stages/stage-01.ts";

export interface VentureSummary {
  id: string;
  name: string;
  status: string;
  stage: number;
  stageName: string;
  phase: string;
  archetype: string;
  createdAt: Date;
}

export interface VentureFilter {
  status?: string;
  stage?: number;
  limit?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createVenture(db: Database, idea: DraftIdea, companyId?: string): Promise<VentureSummary> {
  const { rows } = await sql<{ id: string }>`
    select id from eva.fn_create_venture(
      ${idea.name}, ${idea.description}, ${idea.problemStatement}, ${idea.valueProp}, ${idea.targetMarket},
      ${idea.archetype}::eva.venture_archetype, ${idea.keyAssumptions}::text[], ${idea.successCriteria}::text[],
      ${idea.moatStrategy ?? null}, ${companyId ?? null}::uuid, 'user')`.execute(db);
  const id = rows[0]?.id;
  if (!id) throw new Error("the database created no venture");
  const created = await findVenture(db, id);
  if (!created) throw new Error(`venture ${id} was created but cannot be read back`);
  return created.summary;
}

function summaryQuery(db: Database) {
  return db
    .selectFrom("ventures as v")
    .innerJoin("lifecycle_stage_config as s", "s.stage_number", "v.current_lifecycle_stage")
    .innerJoin("lifecycle_phases as p", "p.id", "s.phase_number")
    .select([
      "v.id",
      "v.name",
      "v.status",
      "v.current_lifecycle_stage as stage",
      "s.stage_name as stageName",
      "p.phase_name as phase",
      "v.archetype",
      "v.created_at as createdAt",
    ]);
}

export async function listVentures(db: Database, filter: VentureFilter = {}): Promise<VentureSummary[]> {
  let query = summaryQuery(db).orderBy("v.created_at").orderBy("v.name");
  if (filter.status) query = query.where("v.status", "=", filter.status as never);
  if (filter.stage !== undefined) query = query.where("v.current_lifecycle_stage", "=", filter.stage);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return query.execute();
}

export interface VentureDetail {
  summary: VentureSummary;
  idea: {
    description: string;
    problemStatement: string;
    valueProp: string;
    targetMarket: string;
    keyAssumptions: string[];
    successCriteria: string[];
    moatStrategy: string | null;
  };
  stageWork: {
    stage: number;
    run: number;
    status: string;
    gateDecision: string | null;
    blockedReason: string | null;
  }[];
  artifacts: { stage: number; type: string; version: number; epistemic: string; validation: string; createdAt: Date }[];
  /** Why it has its status, as its history records it (e.g. "killed at stage 3: …"); null when none was given. */
  statusReason: string | null;
  /** Its recent events, newest last, without the task contracts' bookkeeping (contract.*). */
  history: { at: Date; event: string; detail: unknown }[];
}

/** A venture's id and name by id or (case-insensitive) name; undefined when there is none. */
export async function ventureByRef(db: Database, ref: string): Promise<{ id: string; name: string } | undefined> {
  const query = db.selectFrom("ventures as v").select(["v.id", "v.name"]);
  return UUID.test(ref)
    ? query.where("v.id", "=", ref).executeTakeFirst()
    : query.where(sql`lower(v.name)`, "=", ref.toLowerCase()).executeTakeFirst();
}

/** A venture by id or (case-insensitive) name, with its work, current artifacts and recent events. */
export async function findVenture(db: Database, ref: string): Promise<VentureDetail | undefined> {
  const base = summaryQuery(db).select([
    "v.description",
    "v.problem_statement",
    "v.value_prop",
    "v.target_market",
    "v.key_assumptions",
    "v.success_criteria",
    "v.moat_strategy",
  ]);
  const row = UUID.test(ref)
    ? await base.where("v.id", "=", ref).executeTakeFirst()
    : await base.where(sql`lower(v.name)`, "=", ref.toLowerCase()).executeTakeFirst();
  if (!row) return undefined;

  const [stageWork, artifacts, history, statusChange] = await Promise.all([
    db
      .selectFrom("venture_stage_work")
      .select([
        "lifecycle_stage as stage",
        "run_number as run",
        "status",
        "gate_decision as gateDecision",
        "blocked_reason as blockedReason",
      ])
      .where("venture_id", "=", row.id)
      .orderBy("created_at")
      .orderBy("lifecycle_stage")
      .execute(),
    db
      .selectFrom("venture_artifacts")
      .select([
        "lifecycle_stage as stage",
        "artifact_type as type",
        "version",
        "epistemic_classification as epistemic",
        "validation_status as validation",
        "created_at as createdAt",
      ])
      .where("venture_id", "=", row.id)
      .where("is_current", "=", true)
      .orderBy("lifecycle_stage")
      .orderBy("artifact_type")
      .execute(),
    db
      .selectFrom("eva_event_log")
      .select(["created_at as at", "event_type as event", "payload as detail"])
      .where("venture_id", "=", row.id)
      .where("event_type", "not like", "contract.%")
      .orderBy("id", "desc")
      .limit(20)
      .execute(),
    db
      .selectFrom("venture_state_history")
      .select("reason")
      .where("venture_id", "=", row.id)
      .where("to_status", "=", row.status)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst(),
  ]);

  return {
    summary: {
      id: row.id,
      name: row.name,
      status: row.status,
      stage: row.stage,
      stageName: row.stageName,
      phase: row.phase,
      archetype: row.archetype,
      createdAt: row.createdAt,
    },
    idea: {
      description: row.description,
      problemStatement: row.problem_statement,
      valueProp: row.value_prop,
      targetMarket: row.target_market,
      keyAssumptions: row.key_assumptions,
      successCriteria: row.success_criteria,
      moatStrategy: row.moat_strategy,
    },
    stageWork,
    artifacts,
    statusReason: statusChange?.reason ?? null,
    history: history.reverse(),
  };
}

export interface PortfolioCounts {
  ventures: number;
  byStatus: Record<string, number>;
  byPhase: Record<string, number>;
}

export async function portfolioCounts(db: Database): Promise<PortfolioCounts> {
  const rows = await db
    .selectFrom("ventures as v")
    .innerJoin("lifecycle_stage_config as s", "s.stage_number", "v.current_lifecycle_stage")
    .innerJoin("lifecycle_phases as p", "p.id", "s.phase_number")
    .select(["v.status", "p.phase_name as phase", sql<number>`count(*)::int`.as("n")])
    .groupBy(["v.status", "p.phase_name"])
    .execute();
  const counts: PortfolioCounts = { ventures: 0, byStatus: {}, byPhase: {} };
  for (const r of rows) {
    counts.ventures += r.n;
    counts.byStatus[r.status] = (counts.byStatus[r.status] ?? 0) + r.n;
    counts.byPhase[r.phase] = (counts.byPhase[r.phase] ?? 0) + r.n;
  }
  return counts;
}
