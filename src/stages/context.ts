// The stage context as the database hands it over (eva.fn_stage_context),
// checked on the way in: the engine trusts nothing it did not validate.
import { z } from "zod";
import { profileFromPreferences } from "../gates/profiles.ts";
import { archetype } from "./enums.ts";
import type { StageContext } from "./types.ts";

const stageContextRow = z.object({
  work: z.object({
    id: z.string().uuid(),
    ventureId: z.string().uuid(),
    stage: z.number().int().min(1).max(25),
    runNumber: z.number().int().min(1),
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    status: z.string(),
    attempts: z.number().int(),
  }),
  venture: z.object({
    id: z.string().uuid(),
    name: z.string(),
    archetype,
    description: z.string(),
    problemStatement: z.string(),
    valueProp: z.string(),
    targetMarket: z.string(),
    keyAssumptions: z.array(z.string()),
    successCriteria: z.array(z.string()),
    moatStrategy: z.string().nullable(),
    status: z.string(),
    stage: z.number().int(),
  }),
  stage: z.object({
    number: z.number().int(),
    name: z.string(),
    phase: z.number().int(),
    gateType: z.string(),
    chairmanGate: z.boolean(),
    realityGate: z.boolean(),
    dependsOn: z.array(z.number().int()),
    requiredArtifacts: z.array(z.string()),
    produces: z.array(z.string()),
  }),
  artifacts: z.array(
    z.object({
      stage: z.number().int(),
      type: z.string(),
      version: z.number().int(),
      content: z.record(z.string(), z.unknown()),
      qualityScore: z.number().nullable(),
    }),
  ),
  missing: z.array(z.object({ artifactType: z.string(), reason: z.string() })),
  feedback: z.array(z.string()),
  /** The Chairman's latest decision at each Chairman gate, by stage. */
  chairmanDecisions: z.record(z.string(), z.string()).default({}),
  engineering: z
    .object({
      sagaId: z.string().optional(),
      status: z.string(),
      total: z.number(),
      items: z.array(
        z.object({
          id: z.string().optional(),
          title: z.string(),
          status: z.string(),
          testsPassed: z.number().nullable(),
          testsFailed: z.number().nullable(),
          coveragePct: z.number().nullable(),
        }),
      ),
      totals: z.object({ testsPassed: z.number(), testsFailed: z.number(), coverageAvg: z.number().nullable() }),
    })
    .nullable()
    .default(null),
  /** Stage 24: the ops cycle's measured metrics and the previous version's values (eva.fn_cycle_metrics). */
  measurements: z
    .object({
      cycle: z.number().int(),
      observedAfter: z.string().nullable(),
      observedUntil: z.string(),
      metrics: z.array(
        z.object({
          id: z.number().int(),
          category: z.enum(["acquisition", "activation", "retention", "revenue", "referral"]),
          name: z.string(),
          value: z.number(),
          observedAt: z.string(),
          source: z.string(),
          criterionRef: z.string().nullable(),
        }),
      ),
      previous: z
        .object({
          version: z.number().int(),
          runNumber: z.number().int().nullable(),
          metrics: z.array(
            z.object({ category: z.string(), name: z.string(), value: z.number().nullable(), label: z.string() }),
          ),
        })
        .nullable(),
    })
    .nullable()
    .default(null),
  /** Present when the run was begun (eva.fn_begin_stage_run). */
  budget: z
    .object({
      ventureRemaining: z.number().nullable(),
      phaseRemaining: z.number().nullable(),
      phase: z.number().int(),
      /** The phase's allotment and what it has spent (null: no phase budget). */
      phaseLimit: z.number().nullable().default(null),
      phaseSpent: z.number().nullable().default(null),
    })
    .default({ ventureRemaining: null, phaseRemaining: null, phase: 1, phaseLimit: null, phaseSpent: null }),
  /** Chairman preferences in force for the venture (venture scope over global). */
  preferences: z.record(z.string(), z.string()).default({}),
  preferenceScopes: z.record(z.string(), z.enum(["global", "venture"])).default({}),
  /** For a phase-closing stage: the current artifacts of the earlier stages of its phase. */
  phaseArtifacts: z
    .array(
      z.object({
        stage: z.number().int(),
        type: z.string(),
        version: z.number().int(),
        validationStatus: z.enum(["pending", "validated", "rejected", "needs_revision"]),
        qualityScore: z.number().nullable(),
      }),
    )
    .default([]),
  /** Pattern signatures other ventures produced at this stage. */
  knownPatterns: z.array(z.string()).default([]),
  /** The knowledge base's anti-patterns at this stage (eva.portfolio_anti_patterns), for the DFE. */
  antiPatterns: z
    .array(
      z.object({
        signature: z.string(),
        ventures: z.number(),
        died: z.number(),
        rate: z.number(),
        baseline: z.number(),
      }),
    )
    .default([]),
});
export type StageContextRow = z.infer<typeof stageContextRow>;

export function parseStageContext(raw: unknown): StageContextRow {
  return stageContextRow.parse(raw);
}

export function toStageContext(row: StageContextRow): StageContext {
  const { status: _s, stage: _st, ...venture } = row.venture;
  return {
    venture,
    artifacts: Object.fromEntries(row.artifacts.map((a) => [a.type, a])),
    runNumber: row.work.runNumber,
    feedback: row.feedback,
    asOf: row.work.asOf,
    engineering: row.engineering,
    qualityThresholds: { ...profileFromPreferences(row.preferences).stage20 },
    ...(row.measurements ? { measurements: row.measurements } : {}),
  };
}
