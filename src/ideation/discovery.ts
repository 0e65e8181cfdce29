// Discovery Mode (spec §16): a strategy of eva.discovery_strategies generates
// N candidates (default 5); the database ranks them (discovery_candidates.rank_score
// = automation_feasibility * 10 + competition_bonus) and the top one becomes
// the path output. nursery_reeval re-assesses parked ideas instead of
// inventing new ones (a scheduled re-evaluation names its one nursery item).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { archetype } from "../stages/enums.ts";
import type { Rng } from "../stages/types.ts";
import type { DiscoveryStrategy, PathOutput } from "./contract.ts";
import { ask, type StageZeroCallContext } from "./synthesis/call.ts";

export interface Strategy {
  name: DiscoveryStrategy;
  purpose: string;
  signalSource: string;
  promptFocus: string;
  defaultCandidates: number;
  enabled: boolean;
}

export async function listStrategies(db: Database): Promise<Strategy[]> {
  const rows = await db.selectFrom("discovery_strategies").selectAll().orderBy("name").execute();
  return rows.map((r) => ({
    name: r.name as DiscoveryStrategy,
    purpose: r.purpose,
    signalSource: r.signal_source,
    promptFocus: r.prompt_focus,
    defaultCandidates: r.default_candidates,
    enabled: r.enabled,
  }));
}

const feasibility = z.number().min(0).max(10);

export const discoveryCandidatesSchema = z.object({
  candidates: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(200),
        problemStatement: z.string().min(20),
        solution: z.string().min(20),
        targetMarket: z.string().min(10),
        archetype,
        automationFeasibility: feasibility,
        /** 0-10: higher when the market is less crowded. */
        competitionBonus: feasibility,
        rationale: z.string().min(1),
      }),
    )
    .min(1)
    .max(20),
});

export const nurseryReassessmentSchema = z.object({
  assessments: z
    .array(
      z.object({
        nurseryId: z.string().min(1),
        automationFeasibility: feasibility,
        competitionBonus: feasibility,
        conditionsChanged: z.array(z.string().min(1)),
        rationale: z.string().min(1),
      }),
    )
    .min(1),
});

interface NurseryItem {
  id: string;
  name: string;
  brief: Record<string, unknown>;
  reason: string | null;
  trigger_conditions: unknown;
}

const SEEDS: Record<Exclude<DiscoveryStrategy, "nursery_reeval">, [string, string, string, string][]> = {
  trend_scanner: [
    [
      "Shopify Review Responder",
      "Small Shopify stores leave most product reviews unanswered, losing repeat buyers.",
      "Agents that answer every review in the store's voice within an hour, escalating the angry ones.",
      "Shopify merchants with 100-5,000 orders a month",
    ],
    [
      "Podcast Clip Factory",
      "Independent podcasters have no time to cut their episodes into short clips for social media.",
      "Automatic clip selection, captions and scheduling from each new episode's audio.",
      "Independent podcasters with 1k-50k listeners",
    ],
    [
      "Etsy Listing Optimizer",
      "Etsy sellers rewrite titles and tags by hand and guess which ones rank.",
      "Continuous listing rewrites tested against search rank, applied automatically.",
      "Etsy sellers with more than 50 active listings",
    ],
  ],
  democratization_finder: [
    [
      "Pocket Patent Search",
      "A prior-art search from a patent attorney costs over $1,500, so inventors file blind.",
      "An AI prior-art search and novelty memo for a tenth of the price, reviewed by a patent agent.",
      "Independent inventors and hardware startups",
    ],
    [
      "Tenant Lease Check",
      "Reviewing a commercial lease with a lawyer costs $800 and small tenants sign unread.",
      "An AI lease review that flags risky clauses and drafts counter-proposals.",
      "Small businesses signing commercial leases",
    ],
    [
      "Home Energy Audit AI",
      "A professional home energy audit costs $500 and takes weeks to schedule.",
      "A phone-guided audit that turns photos and bills into a prioritized retrofit plan.",
      "Homeowners planning renovations",
    ],
  ],
  capability_overhang: [
    [
      "Meeting Minutes Notary",
      "Boards and committees still pay clerks to turn recordings into formal minutes.",
      "Formal minutes drafted from recordings in the body's own style, with action registers.",
      "Clerks of small boards, councils and associations",
    ],
    [
      "Spec Sheet Extractor",
      "Distributors retype supplier spec sheets into their catalogs by hand.",
      "Extraction of structured product data from any PDF spec sheet into the catalog's schema.",
      "Industrial parts distributors",
    ],
    [
      "Grant Report Writer",
      "Nonprofits spend days turning program data into funder reports.",
      "Funder-specific reports drafted from the program's spreadsheets and notes.",
      "Small nonprofits with several institutional funders",
    ],
  ],
};

export function simulateCandidates(strategy: Exclude<DiscoveryStrategy, "nursery_reeval">, count: number, rng: Rng) {
  const seeds = SEEDS[strategy];
  return {
    candidates: Array.from({ length: count }, (_, i) => {
      const [name, problemStatement, solution, targetMarket] = seeds[i % seeds.length] as [
        string,
        string,
        string,
        string,
      ];
      const round = Math.floor(i / seeds.length);
      return {
        name: round ? `${name} ${round + 1}` : name,
        problemStatement,
        solution,
        targetMarket,
        archetype: rng.pick(["saas", "services", "marketplace"] as const),
        automationFeasibility: rng.float(3, 10, 1),
        competitionBonus: rng.float(0, 10, 1),
        rationale: `Simulated ${strategy.replace("_", " ")} candidate: not market research.`,
      };
    }),
  };
}

export interface DiscoveryOutcome {
  path: PathOutput;
  runId: string;
  candidates: { id: string; name: string; rankScore: number; selected: boolean }[];
}

export class DiscoveryInputError extends Error {}

/** Runs a strategy: candidates generated (or parked ideas re-assessed), stored, ranked; the top one is the path output. */
export async function discover(
  db: Database,
  ctx: StageZeroCallContext,
  options: { strategy: DiscoveryStrategy; candidates?: number | undefined; nurseryId?: string | undefined },
): Promise<DiscoveryOutcome> {
  const strategy = (await listStrategies(db)).find((s) => s.name === options.strategy);
  if (!strategy) throw new DiscoveryInputError(`--strategy ${options.strategy}: no such discovery strategy`);
  if (!strategy.enabled) throw new DiscoveryInputError(`--strategy ${options.strategy}: the strategy is disabled`);
  const count = options.candidates ?? strategy.defaultCandidates;
  const epistemicBefore = ctx.ledger.calls.length;

  type Row = {
    id: string;
    name: string;
    problem_statement: string;
    solution: string;
    target_market: string;
    automation_feasibility: number;
    competition_bonus: number;
    nursery_id: string | null;
    detail: Record<string, unknown>;
  };
  let rows: Row[];
  let items: NurseryItem[] = [];
  if (strategy.name === "nursery_reeval") {
    const { rows: found } = await sql<NurseryItem>`
      select id::text, name, brief, reason, trigger_conditions from eva.venture_nursery
      where status = 'parked' and (${options.nurseryId ?? null}::uuid is null or id = ${options.nurseryId ?? null}::uuid)
        -- an idea whose re-evaluation already waits for the Chairman is not re-evaluated twice
        and not exists (select 1 from eva.chairman_decisions d where d.decision_type = 'venture_review'
                        and d.status = 'pending' and d.context ->> 'nurseryId' = venture_nursery.id::text)
      order by review_at, id limit ${count}`.execute(db);
    items = found;
    if (items.length === 0)
      throw new DiscoveryInputError(
        options.nurseryId
          ? `nursery item ${options.nurseryId} is not parked (eva nursery list)`
          : "nursery_reeval: the nursery has no parked idea to re-evaluate (or each one's review is already open: eva nursery list)",
      );
    const out = await ask(ctx, {
      purpose: "path:discovery_mode:nursery_reeval",
      schemaName: "stage_00_discovery_nursery_reeval",
      schema: nurseryReassessmentSchema,
      prompt: {
        system: `You are EVA's Stage 0 discovery analyst. ${strategy.promptFocus} Assess each parked idea (by its nurseryId): automationFeasibility 0-10, competitionBonus 0-10 (higher when less crowded), which trigger conditions changed. Answer with one JSON object matching the schema.`,
        user: items
          .map(
            (n) =>
              `- nurseryId ${n.id}: ${n.name}. Problem: ${String(n.brief.problemStatement ?? "unknown")}. Parked because: ${n.reason ?? "no reason given"}. Trigger conditions: ${JSON.stringify(n.trigger_conditions)}`,
          )
          .join("\n"),
      },
      simulate: (rng) => ({
        assessments: items.map((n) => ({
          nurseryId: n.id,
          automationFeasibility: rng.float(3, 10, 1),
          competitionBonus: rng.float(0, 10, 1),
          conditionsChanged: (Array.isArray(n.trigger_conditions) ? (n.trigger_conditions as string[]) : []).map(
            (c) => `unknown: the offline analyst has no new evidence on "${c}"`,
          ),
          rationale: "Simulated re-assessment: not evidence that conditions changed.",
        })),
      }),
    });
    rows = items.flatMap((n) => {
      const a = out.assessments.find((x) => x.nurseryId === n.id);
      if (!a) return [];
      const brief = n.brief as Record<string, string>;
      return [
        {
          id: randomUUID(),
          name: n.name,
          problem_statement: brief.problemStatement ?? n.name,
          solution: brief.solution ?? brief.valueProp ?? n.name,
          target_market: brief.targetMarket ?? "unknown",
          automation_feasibility: a.automationFeasibility,
          competition_bonus: a.competitionBonus,
          nursery_id: n.id,
          detail: { conditionsChanged: a.conditionsChanged, rationale: a.rationale, archetype: brief.archetype },
        },
      ];
    });
    if (rows.length === 0)
      throw new DiscoveryInputError("nursery_reeval: the analysis assessed none of the parked ideas");
  } else {
    const name = strategy.name;
    const out = await ask(ctx, {
      purpose: `path:discovery_mode:${name}`,
      schemaName: `stage_00_discovery_${name}`,
      schema: discoveryCandidatesSchema,
      prompt: {
        system: `You are EVA's Stage 0 discovery analyst (${name}: ${strategy.purpose}). ${strategy.promptFocus} Answer with one JSON object matching the schema.`,
        user: `Generate exactly ${count} distinct venture candidates. For each: name, problemStatement, solution, targetMarket, archetype, automationFeasibility 0-10, competitionBonus 0-10 (higher when the market is less crowded), rationale.`,
      },
      simulate: (rng) => simulateCandidates(name, count, rng),
    });
    rows = out.candidates.slice(0, count).map((c) => ({
      id: randomUUID(),
      name: c.name,
      problem_statement: c.problemStatement,
      solution: c.solution,
      target_market: c.targetMarket,
      automation_feasibility: c.automationFeasibility,
      competition_bonus: c.competitionBonus,
      nursery_id: null,
      detail: { archetype: c.archetype, rationale: c.rationale },
    }));
  }
  const calls = ctx.ledger.calls.slice(epistemicBefore);
  const run = await db
    .insertInto("discovery_runs")
    .values({
      strategy: strategy.name,
      candidates_requested: count,
      nursery_id: options.nurseryId ?? null,
      epistemic_classification: calls.some((c) => c.epistemic === "simulation") ? "simulation" : "assumption",
      provenance: JSON.stringify(calls.map((c) => c.provenance)),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("discovery_candidates")
    .values(rows.map((r) => ({ ...r, run_id: run.id, detail: JSON.stringify(r.detail) })))
    .execute();
  // The database's ranking decides: rank_score, then the order they were generated in.
  const ranked = await sql<{ id: string; name: string; rank_score: string; nursery_id: string | null }>`
    select id, name, rank_score, nursery_id from eva.discovery_candidates where run_id = ${run.id}
    order by rank_score desc, created_at, id`.execute(db);
  const top = ranked.rows[0];
  if (!top) throw new Error("a discovery run stored no candidate");
  await db.updateTable("discovery_candidates").set({ selected: true }).where("id", "=", top.id).execute();
  const chosen = rows.find((r) => r.id === top.id) ?? (rows[0] as Row);
  const hint = archetype.safeParse(chosen.detail.archetype);
  const reeval = strategy.name === "nursery_reeval";
  const path: PathOutput = {
    origin: reeval ? "nursery_reeval" : "discovery_mode",
    name: chosen.name,
    description: `${chosen.name}: ${chosen.solution} For ${chosen.target_market}.`,
    problemStatement: chosen.problem_statement,
    solution: chosen.solution,
    targetMarket: chosen.target_market,
    rawChairmanIntent: reeval
      ? String(
          (items.find((n) => n.id === chosen.nursery_id)?.brief as Record<string, unknown> | undefined)
            ?.rawChairmanIntent ?? chosen.name,
        )
      : `Discovery mode: ${strategy.name}, ${count} candidate(s)`,
    archetypeHint: hint.success ? hint.data : undefined,
    competitorRef: [],
    discoveryStrategy: strategy.name,
    discoveryRunId: run.id,
    nurseryId: chosen.nursery_id ?? undefined,
    notes: [
      `Top of ${rows.length} ${strategy.name} candidate(s) by rank score ${Number(top.rank_score)} (automation feasibility × 10 + competition bonus)`,
      ...(reeval
        ? ((chosen.detail.conditionsChanged as string[] | undefined) ?? []).map((c) => `Since parking: ${c}`)
        : []),
    ],
  };
  return {
    path,
    runId: run.id,
    candidates: ranked.rows.map((r) => ({
      id: r.id,
      name: r.name,
      rankScore: Number(r.rank_score),
      selected: r.id === top.id,
    })),
  };
}
