// Upstream artifacts for the Stage 18-25 tests. Stages 2-17 come from their
// stage modules through fixtures-10-17 (simulate + computeDerived, seeded by the
// prompt like the engine); Stages 18-25 from this range's own modules. Every
// context holds exactly the artifacts the stage's contract names. Also: ops
// cycles of Stages 24-25, misshapen upstream for tolerance checks, and small
// hand-made artifacts for constructed derivation tests.
import { expect } from "vitest";
import { createRng, seedFrom } from "../../src/llm/rng.ts";
import { ventureProfile } from "../../src/stages/simulation.ts";
import { stage18 } from "../../src/stages/stage-18.ts";
import { stage19 } from "../../src/stages/stage-19.ts";
import { stage20 } from "../../src/stages/stage-20.ts";
import { stage21 } from "../../src/stages/stage-21.ts";
import { stage22 } from "../../src/stages/stage-22.ts";
import { stage23 } from "../../src/stages/stage-23.ts";
import { stage24 } from "../../src/stages/stage-24.ts";
import { stage25 } from "../../src/stages/stage-25.ts";
import type {
  EngineeringResults,
  StageContext,
  StageDefinition,
  UpstreamArtifact,
  VentureBrief,
} from "../../src/stages/types.ts";
import {
  type Artifacts,
  artifactsThrough,
  migrationContract,
  runStage,
  stageContext,
  ARTIFACT_TYPE as UPSTREAM_TYPES,
  ventureVariants,
} from "./fixtures-10-17.ts";
import { sampleVentures } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: a chain of stages with different analysis types
export type AnyStage = StageDefinition<any, any>;
export type { Artifacts };

type Content = Record<string, unknown>;

export const ARTIFACT_TYPE: Record<number, string> = {
  ...UPSTREAM_TYPES,
  18: "sprint_plan",
  19: "sprint_execution",
  20: "qa_report",
  21: "build_review",
  22: "release_package",
  23: "launch_plan",
  24: "launch_scorecard",
  25: "venture_review",
};

export const ownStages: AnyStage[] = [stage18, stage19, stage20, stage21, stage22, stage23, stage24, stage25];
const byNumber = new Map(ownStages.map((s) => [s.number, s]));

const chains = new Map<string, Artifacts>();

/**
 * Every artifact from Stage 1 up to Stage `through` (≤ 25) for `venture`, produced offline, each
 * stage on its first run (memoised). Stage 24 and 25 here are ops cycle 1.
 */
export function chainThrough(venture: VentureBrief, through: number): Artifacts {
  const key = JSON.stringify(venture);
  let all = chains.get(key);
  if (!all) {
    all = { ...artifactsThrough(venture, 17) };
    chains.set(key, all);
  }
  for (let n = 18; n <= through; n++) {
    const type = ARTIFACT_TYPE[n] as string;
    if (all[type]) continue;
    const stage = byNumber.get(n) as AnyStage;
    all[type] = {
      stage: n,
      type,
      version: 1,
      content: runStage(stage, withReport(stage, venture, stageContext(stage, venture, all), all)),
      qualityScore: null,
    };
  }
  return all;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * What engineering reports for the venture's Stage 18 sprint items, as a test stands in for it (the
 * return path, eva.fn_sd_results): stronger, easier ventures pass more tests with more coverage; in a
 * shaky build the first item is reported failed.
 */
export function reportedEngineering(venture: VentureBrief, all: Artifacts): EngineeringResults {
  const p = ventureProfile(venture);
  const rng = createRng(seedFrom(`engineering ${venture.name}`));
  const plan = all.sprint_plan?.content as { sprintItems?: { title?: unknown }[] } | undefined;
  const titles = (Array.isArray(plan?.sprintItems) ? plan.sprintItems : [])
    .map((i) => (typeof i?.title === "string" ? i.title : ""))
    .filter(Boolean);
  const q = clamp(0.55 * p.strength + 0.45 * (1 - p.difficulty) + rng.float(-0.05, 0.05), 0, 1);
  const items = (titles.length ? titles : ["Core workflow"]).map((title, i) => {
    const total = 40 + 20 * (i % 3);
    const passed = Math.min(total, Math.round(total * clamp(0.88 + 0.13 * q + rng.float(-0.01, 0.01), 0, 1)));
    return {
      id: `00000000-0000-4000-9000-${String(i + 1).padStart(12, "0")}`,
      title,
      status: q < 0.4 && i === 0 ? "failed" : "succeeded",
      testsPassed: passed,
      testsFailed: total - passed,
      coveragePct: Math.round(clamp(35 + 50 * q + rng.float(-3, 3), 0, 100) * 10) / 10,
    };
  });
  const sum = (f: (i: (typeof items)[number]) => number) => items.reduce((s, i) => s + f(i), 0);
  return {
    status: "completed",
    total: items.length,
    items,
    totals: {
      testsPassed: sum((i) => i.testsPassed),
      testsFailed: sum((i) => i.testsFailed),
      coverageAvg: Math.round((sum((i) => i.coveragePct) / items.length) * 100) / 100,
    },
  };
}

/** Stage 20's context carries engineering's report, as the database hands it over. */
function withReport(stage: AnyStage, venture: VentureBrief, ctx: StageContext, all: Artifacts): StageContext {
  return stage.number === 20 ? { ...ctx, engineering: reportedEngineering(venture, all) } : ctx;
}

/** The context for one of this range's stages, with offline upstream artifacts for `venture`. */
export function contextAt(
  stage: AnyStage,
  venture: VentureBrief,
  runNumber = 1,
  feedback: string[] = [],
): StageContext {
  const all = chainThrough(venture, stage.number - 1);
  return withReport(stage, venture, stageContext(stage, venture, all, runNumber, feedback), all);
}

/** The derived artifact of `stage` for `venture`, as the engine would record it. */
export function artifactAt(stage: AnyStage, venture: VentureBrief, runNumber = 1): Content {
  return runStage(stage, contextAt(stage, venture, runNumber));
}

/**
 * Ops cycles 1..`cycles` of Stages 24 and 25 (each cycle a new version of both, Stage 25 of cycle k
 * reading Stage 24 version k), as the versioned ops loop of spec §5 runs them.
 */
export function opsCycles(
  venture: VentureBrief,
  cycles: number,
): { scorecard: Content; review: Content; ctx25: StageContext }[] {
  const base = chainThrough(venture, 23);
  const out: { scorecard: Content; review: Content; ctx25: StageContext }[] = [];
  for (let k = 1; k <= cycles; k++) {
    const ctx24 = stageContext(stage24, venture, base, k);
    const scorecard = runStage(stage24, ctx24);
    const all: Artifacts = {
      ...base,
      launch_scorecard: { stage: 24, type: "launch_scorecard", version: k, content: scorecard, qualityScore: null },
    };
    const ctx25 = stageContext(stage25, venture, all, k);
    out.push({ scorecard, review: runStage(stage25, ctx25), ctx25 });
  }
  return out;
}

/** Ventures for spread checks: the samples and varied copies of them. */
export const spreadVentures: VentureBrief[] = [...sampleVentures, ...ventureVariants(28)];

/** The value, or a clear failure when a test's own setup lacks it. */
export function must<T>(value: T | null | undefined, what = "a value the test set up"): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}

/** How often each value occurs. */
export function tally<T extends string>(values: T[]): Partial<Record<T, number>> {
  const out: Partial<Record<T, number>> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/**
 * Upstream artifacts with every field replaced by a wrong shape (idea_brief kept): the offline
 * analyst must fall back rather than throw.
 */
export function misshapen(ctx: StageContext): StageContext {
  const artifacts: Artifacts = {};
  for (const [type, a] of Object.entries(ctx.artifacts)) {
    const content: Content = {};
    for (const key of Object.keys(a.content)) content[key] = "not what you expect";
    artifacts[type] = { ...a, content: type === "idea_brief" ? a.content : content };
  }
  return { ...ctx, artifacts };
}

/** The same context with no upstream artifact at all. */
export function bare(ctx: StageContext): StageContext {
  return { ...ctx, artifacts: {} };
}

/** An upstream artifact from a content object, for constructed contexts. */
export function artifact(stage: number, content: Content, version = 1): UpstreamArtifact {
  return { stage, type: ARTIFACT_TYPE[stage] as string, version, content, qualityScore: null };
}

/** A context holding the given upstream artifacts (by stage number). */
export function constructed(
  venture: VentureBrief,
  artifacts: Record<number, Content>,
  runNumber = 1,
  versions: Record<number, number> = {},
): StageContext {
  return {
    venture,
    artifacts: Object.fromEntries(
      Object.entries(artifacts).map(([n, content]) => {
        const a = artifact(Number(n), content, versions[Number(n)] ?? 1);
        return [a.type, a];
      }),
    ),
    runNumber,
    feedback: [],
    asOf: "2026-11-01",
  };
}

/** A marker artifact from outside every Stage 18-25 contract (Stage 12): prompts must leave it out. */
export const OUTSIDER_MARKER = "OUTSIDE-THE-CONTRACT-18-25";

/**
 * The stage module declares the contract the migration seeds; given every artifact of the venture
 * up to the stage plus an outsider, the context builder keeps exactly the contract's artifacts and
 * the prompt shows each of them and nothing else.
 */
export function expectContract(stage: AnyStage, venture: VentureBrief): void {
  const contract = migrationContract(stage.number);
  expect([...stage.consumes]).toEqual(contract.dependsOn);
  expect([...stage.produces]).toEqual(contract.produces);
  expect(stage.phase).toBe(contract.phase);
  expect(stage.gateType).toBe(contract.gateType);
  expect(contract.requiredArtifacts).toEqual(contract.dependsOn.map((n) => ARTIFACT_TYPE[n]));
  const all: Artifacts = {
    ...chainThrough(venture, stage.number - 1),
    outsider: {
      stage: 12,
      type: "sales_pipeline",
      version: 9,
      content: { marker: OUTSIDER_MARKER },
      qualityScore: null,
    },
  };
  const ctx = stageContext(stage, venture, all);
  expect(Object.keys(ctx.artifacts).sort()).toEqual([...contract.requiredArtifacts].sort());
  const { user } = stage.prompt(ctx);
  for (let n = 2; n < stage.number; n++) {
    const type = ARTIFACT_TYPE[n] as string;
    if (stage.consumes.includes(n)) expect(user).toContain(`### Stage ${n} — ${type} (version`);
    else expect(user).not.toContain(`— ${type} (version`);
  }
  expect(user).not.toContain(OUTSIDER_MARKER);
  expect(user).toContain(venture.valueProp);
}

export { sampleVentures };
