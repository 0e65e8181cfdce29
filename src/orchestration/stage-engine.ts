// One stage run, start to end (ARCHITECTURE "Data flow of one stage"): take
// the work row, load the context the contract allows, check the budget, run
// the analysis (LLM or offline analyst), derive, validate, evaluate the gate,
// and record everything through eva.fn_record_stage_result in one
// transaction. Idempotent: a retry after a crash either redoes the analysis
// (the database cache makes it free) or finds the result already recorded.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { isDevilsAdvocateStage, reviewAsDevilsAdvocate } from "../gates/devils-advocate.ts";
import { type DfeInput, type DfeResult, evaluateDFE } from "../gates/dfe.ts";
import { evaluateStageGate } from "../gates/index.ts";
import { isRealityBoundary } from "../gates/profiles.ts";
import { realityGateUrls } from "../gates/reality.ts";
import { recordReplayInputs } from "../gates/replay.ts";
import { routeStageResult } from "../gates/route.ts";
import type { GateEvaluation, GateInput } from "../gates/types.ts";
import { checkUrls, urlCheckOptions } from "../gates/url-check.ts";
import { AnalysisFailed, type AnalysisResult, type Analyst, type LlmUsage, TokenBudgetExceeded } from "../llm/types.ts";
import {
  chargedTokens,
  devilsAdvocateArtifact,
  devilsAdvocateGateEntry,
  phaseBudgetForDfe,
  stageAllowance,
} from "../stages/budget.ts";
import { parseStageContext, toStageContext } from "../stages/context.ts";
import { fieldEvidence } from "../stages/evidence.ts";
import { stageDefinition } from "../stages/index.ts";
import { circuitsFor, isCircuitFailure, recordCircuitCall } from "./circuit-breakers.ts";
import { runUnderContract, workerIdentity } from "./contracts.ts";
import { ATTR, activeSpan, SpanStatusCode, withSpan, withSpanSync } from "./tracing.ts";

export type StageRunOutcome =
  | { outcome: "noop"; workId: string; detail?: string }
  | {
      outcome: "advanced";
      workId: string;
      stage: number;
      nextStage: number;
      nextWorkId: string;
      artifactVersion: number | null;
    }
  | { outcome: "awaiting_decision"; workId: string; stage: number; decisionId: string; artifactVersion: number }
  | { outcome: "killed" | "gate_blocked"; workId: string; stage: number; gateDecision?: string; reason?: string }
  | { outcome: "rerun"; workId: string; stage: number; nextStage: number; gateDecision?: string }
  | { outcome: "engineering"; workId: string; stage: number; nextStage: number; sagaId: string }
  | { outcome: "blocked" | "failed"; workId: string; stage: number; reason: string }
  /** A circuit breaker is open: no call was made; the work stays ready and its job waits for `retryAt`. */
  | { outcome: "deferred"; workId: string; stage: number; retryAt: string; reason: string };

export interface StageRunOptions {
  /** The job's last attempt: a retryable failure now fails the stage instead of throwing for a retry. */
  finalAttempt?: boolean;
  log?: (line: string) => void;
  /** The Devil's Advocate's own analyst (EVA_DA_*); default: the stage's analyst. */
  adversary?: Analyst;
  /** Who claims the run's task contract (default host:pid). */
  claimedBy?: string;
}

/** The run's task contract, as eva.fn_begin_stage_run started it. */
const begunContract = z.object({
  id: z.string(),
  attempt: z.number().int(),
  circuits: z.array(z.string()),
  /** Every breaker closed with no failures: a successful call need not be recorded. */
  clean: z.boolean(),
});

const deferredRun = z.object({
  stage: z.number().int(),
  retryAt: z.string(),
  refusedBy: z.array(z.string()),
});

interface ArtifactRecord {
  artifactType: string;
  content: object;
  qualityScore: number | null;
  epistemicClassification: "simulation" | "assumption" | "fact" | "unknown";
  epistemicEvidence: object;
  provenance: object;
}

const schemaNames = new Map<object, string>();

/**
 * The schema's name for the server and the cache: the stage, its artifact, and a
 * fingerprint of the schema itself, so a changed schema never reuses an old answer.
 */
function schemaName(stage: number, artifactType: string, schema: z.ZodType): string {
  let name = schemaNames.get(schema);
  if (!name) {
    const json = JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }));
    const fingerprint = createHash("sha256").update(json).digest("hex").slice(0, 8);
    name = `stage_${String(stage).padStart(2, "0")}_${artifactType}_${fingerprint}`;
    schemaNames.set(schema, name);
  }
  return name;
}

async function stopStage(
  db: Database,
  workId: string,
  contractId: string,
  reason: string,
  kind: "blocked" | "failed",
  details: object = {},
) {
  await sql`select eva.fn_block_stage_work(${workId}::uuid, ${reason}, ${kind}, ${JSON.stringify(details)}::jsonb,
    ${contractId}::uuid)`.execute(db);
}

/** Milliseconds since `started` (performance.now()), to the microsecond. */
function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

function charge(usage: LlmUsage, provenance: object): object[] {
  return usage.promptTokens + usage.completionTokens > 0 ? [{ purpose: "analysis", ...usage, provenance }] : [];
}

/** What the DFE's evaluation keeps on record (the drift report's details stay in its triggers). */
function summarizeDfe(dfe: DfeResult) {
  return {
    output: dfe.output,
    triggers: dfe.triggers,
    mitigations: dfe.mitigations,
    recommendedAction: dfe.recommendedAction,
    patternSignature: dfe.patternSignature,
    thresholds: dfe.thresholds,
    driftSeverity: dfe.drift.overall,
  };
}

/** The action recommended to the Chairman at a Chairman gate: the gate's own call, the DFE's caution at Stage 10. */
function CHAIRMAN_RECOMMENDATION(stage: number, evaluation: GateEvaluation, dfe: DfeResult["output"]): string {
  if (stage === 10) return dfe === "AUTO_PROCEED" ? "approve" : "revise";
  return evaluation.gate?.decision ?? (stage === 22 ? "hold" : "continue");
}

/**
 * Runs one stage work row. `db` is a connection acting as eva_service
 * (connect(url, { role: "eva_service" })): the engine writes under RLS like
 * every other client, one round trip per step. Traced as one `eva.stage_run`
 * span (venture, stage, outcome) with the LLM call, gate, DFE and Devil's
 * Advocate as its children (src/orchestration/tracing.ts).
 */
export async function runStageWork(
  db: Database,
  analyst: Analyst,
  workId: string,
  options: StageRunOptions = {},
): Promise<StageRunOutcome> {
  return withSpan("eva.stage_run", { [ATTR.workId]: workId }, async (span) => {
    const outcome = await runStage(db, analyst, workId, options);
    span.setAttribute(ATTR.outcome, outcome.outcome);
    if (outcome.outcome === "failed") span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
    return outcome;
  });
}

async function runStage(
  db: Database,
  analyst: Analyst,
  workId: string,
  options: StageRunOptions,
): Promise<StageRunOutcome> {
  const log = options.log ?? (() => {});
  const circuits = circuitsFor(analyst);
  const { rows: begun } = await sql<{ ctx: { deferred?: unknown; contract?: unknown } | null }>`
    select eva.fn_begin_stage_run(${workId}::uuid, ${circuits}::text[], ${options.claimedBy ?? workerIdentity()}) as ctx`.execute(
    db,
  );
  const begunCtx = begun[0]?.ctx;
  if (!begunCtx) return { outcome: "noop", workId, detail: "not ready, or the venture is not active" };
  if (begunCtx.deferred) {
    const deferred = deferredRun.parse(begunCtx.deferred);
    const reason = `circuit open (${deferred.refusedBy.join(", ")}): no call made; the run waits until ${deferred.retryAt}`;
    log(`stage ${deferred.stage} deferred: ${reason}`);
    return { outcome: "deferred", workId, stage: deferred.stage, retryAt: deferred.retryAt, reason };
  }
  const contract = begunContract.parse(begunCtx.contract);
  const row = parseStageContext(begunCtx);
  const stage = row.work.stage;
  activeSpan()?.setAttributes({ [ATTR.ventureId]: row.work.ventureId, [ATTR.stage]: stage });

  if (row.missing.length > 0) {
    const reason = `contract unmet: ${row.missing.map((m) => `${m.artifactType} ${m.reason}`).join(", ")}`;
    await stopStage(db, workId, contract.id, reason, "blocked", { missing: row.missing });
    log(`stage ${stage} blocked: ${reason}`);
    return { outcome: "blocked", workId, stage, reason };
  }

  let artifacts: ArtifactRecord[] = [];
  let charges: object[] = [];
  let gate: object | null = null;
  let route: object = { action: "advance" };

  if (stage > 1) {
    const definition = stageDefinition(stage);
    if (!definition) {
      const reason = `no stage module for stage ${stage}`;
      await stopStage(db, workId, contract.id, reason, "failed");
      return { outcome: "failed", workId, stage, reason };
    }
    const { budget } = row;
    if (
      (budget.ventureRemaining !== null && budget.ventureRemaining <= 0) ||
      (budget.phaseRemaining !== null && budget.phaseRemaining <= 0)
    ) {
      const reason = `token budget exhausted (venture: ${budget.ventureRemaining ?? "no limit"} left, phase ${budget.phase}: ${budget.phaseRemaining ?? "no limit"} left)`;
      await stopStage(db, workId, contract.id, reason, "blocked", { budget });
      log(`stage ${stage} blocked: ${reason}`);
      return { outcome: "blocked", workId, stage, reason };
    }

    const ctx = toStageContext(row);
    let result: AnalysisResult<object>;
    // The analysis's wall time (every request and repair), kept with its charge: eva.orchestration_llm_usage.
    const analysisStarted = performance.now();
    try {
      result = await analyst.analyze({
        schemaName: schemaName(stage, definition.produces[0] as string, definition.analysisSchema),
        schema: definition.analysisSchema,
        prompt: definition.prompt(ctx),
        simulate: (rng) => definition.simulate(ctx, rng),
        budget: stageAllowance(budget),
      });
    } catch (error) {
      if (!(error instanceof AnalysisFailed)) throw error;
      if (isCircuitFailure(error)) {
        // The call failed: counted on the circuit breakers, in one call with the charge and the contract.
        const { rows: failed } = await sql<{ r: { outcome: string; retryAt?: string } }>`
          select eva_private.fn_stage_call_failed(${workId}::uuid, ${contract.id}::uuid, ${error.message},
            ${options.finalAttempt ?? false}, ${JSON.stringify({ ...error.usage, provenance: { failed: true, attempts: error.attempts, error: error.message } })}::jsonb) as r`.execute(
          db,
        );
        const settled = failed[0]?.r;
        if (settled?.outcome === "deferred") {
          const reason = `the model call failed and opened its circuit: ${error.message}`;
          log(`stage ${stage} deferred: ${reason}`);
          return { outcome: "deferred", workId, stage, retryAt: String(settled.retryAt), reason };
        }
        if (settled?.outcome === "failed")
          return { outcome: "failed", workId, stage, reason: `analysis failed: ${error.message}` };
        if (settled?.outcome === "noop") {
          return { outcome: "noop", workId, detail: "late failure ignored: the run's contract had already ended" };
        }
        throw error;
      }
      // The provider answered (invalid output, a 4xx): a success for the breakers that had failures.
      if (!contract.clean && !(error instanceof TokenBudgetExceeded)) {
        await recordCircuitCall(db, row.work.ventureId, contract.circuits, true);
      }
      // What the failed attempts cost is charged either way.
      if (error.usage.promptTokens + error.usage.completionTokens > 0) {
        await sql`select eva.fn_charge_tokens(${row.work.ventureId}::uuid, ${stage}, ${workId}::uuid, 'analysis',
          ${error.usage.promptTokens}, ${error.usage.completionTokens}, ${error.usage.estimated},
          ${JSON.stringify({ failed: true, attempts: error.attempts, error: error.message, latencyMs: elapsedMs(analysisStarted) })}::jsonb)`.execute(
          db,
        );
      }
      if (error instanceof TokenBudgetExceeded) {
        const reason = `stage ${stage} refused a call: ${error.message}`;
        await stopStage(db, workId, contract.id, reason, "blocked", { budget, needed: error.needed });
        log(`stage ${stage} blocked: ${reason}`);
        return { outcome: "blocked", workId, stage, reason };
      }
      if (error.retryable && !options.finalAttempt) throw error;
      const reason = `analysis failed: ${error.message}`;
      await stopStage(db, workId, contract.id, reason, "failed");
      return { outcome: "failed", workId, stage, reason };
    }

    // A call that went out after a failure or as a half-open trial closes its circuits.
    if (!contract.clean && !result.provenance.cached) {
      await recordCircuitCall(db, row.work.ventureId, contract.circuits, true);
    }

    const derived = {
      ...result.output,
      ...definition.computeDerived(result.output, { ...ctx, analyst: result.provenance.analyst }),
    };
    const checked = definition.artifactSchema.safeParse(derived);
    if (!checked.success) {
      const reason = `derived artifact fails the stage ${stage} schema: ${checked.error.issues
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`;
      await stopStage(db, workId, contract.id, reason, "failed");
      return { outcome: "failed", workId, stage, reason };
    }
    const evidence = {
      analyst: result.provenance.analyst,
      upstream: Object.values(ctx.artifacts).map((a) => ({ stage: a.stage, type: a.type, version: a.version })),
      ...(definition.measuredValues ? { measured: definition.measuredValues(checked.data, ctx) } : {}),
    };
    const record = (artifactType: string, content: object, qualityScore: number, fields = {}): ArtifactRecord => ({
      artifactType,
      content,
      qualityScore,
      epistemicClassification: result.epistemic,
      epistemicEvidence: { ...evidence, ...fields },
      provenance: result.provenance,
    });
    artifacts = [
      record(
        definition.produces[0] as string,
        checked.data,
        definition.qualityScore(checked.data, ctx),
        fieldEvidence(definition, checked.data, ctx, result),
      ),
    ];
    for (const [type, content] of Object.entries(definition.secondaryArtifacts?.(checked.data, ctx) ?? {})) {
      const schema = definition.secondarySchemas?.[type];
      const valid = schema?.safeParse(content);
      if (!valid?.success) {
        const reason = `secondary artifact ${type} of stage ${stage} is invalid or has no schema`;
        await stopStage(db, workId, contract.id, reason, "failed");
        return { outcome: "failed", workId, stage, reason };
      }
      artifacts.push(record(type, valid.data, definition.qualityScore(checked.data, ctx)));
    }
    charges = charge(result.usage, { ...result.provenance, latencyMs: elapsedMs(analysisStarted) });

    // The gate (spec §7.2), the Decision Filter Engine (§6) and, at the
    // adversarial gates, the Devil's Advocate (§7.5): judged here, recorded
    // with their inputs so they can be re-evaluated without an LLM call.
    const artifact = checked.data as Record<string, unknown>;
    // URL reachability (spec §13) is I/O: checked here, read by the reality gate as data.
    const urlChecks = isRealityBoundary(stage)
      ? await checkUrls(realityGateUrls(stage, artifact, ctx.artifacts), urlCheckOptions(analyst.kind))
      : undefined;
    const gateInput: GateInput = {
      stage,
      gateType: definition.gateType,
      realityGate: row.stage.realityGate,
      venture: ctx.venture,
      artifact,
      upstream: ctx.artifacts,
      phaseArtifacts: [
        ...row.phaseArtifacts,
        {
          stage,
          type: definition.produces[0] as string,
          version: 0,
          validationStatus: "validated",
          qualityScore: artifacts[0]?.qualityScore ?? null,
        },
      ],
      preferences: row.preferences,
      chairmanDecisions: Object.fromEntries(Object.entries(row.chairmanDecisions).map(([k, v]) => [Number(k), v])),
      ...(urlChecks ? { urlChecks } : {}),
    };
    const evaluation: GateEvaluation =
      definition.gateType === "none" && !row.stage.realityGate
        ? { gate: null, reality: null }
        : withSpanSync("eva.gate", { [ATTR.gateType]: definition.gateType }, (span) => {
            const evaluated = evaluateStageGate(gateInput);
            span.setAttributes({
              [ATTR.outcome]: evaluated.gate?.decision ?? evaluated.reality?.decision ?? "none",
              ...(evaluated.reality ? { "eva.gate.reality": evaluated.reality.decision } : {}),
            });
            return evaluated;
          });
    const reviewStarted = performance.now();
    const review = isDevilsAdvocateStage(stage)
      ? await withSpan("eva.devils_advocate", {}, async (span) => {
          const reviewed = await devilsAdvocateUnderContract(db, options.adversary ?? analyst, {
            parent: contract.id,
            ventureId: row.work.ventureId,
            workId,
            claimedBy: options.claimedBy ?? workerIdentity(),
            input: {
              stage,
              venture: ctx.venture,
              artifact,
              gate: evaluation,
              budget: stageAllowance(budget, chargedTokens(charges)),
            },
          });
          span.setAttribute(ATTR.outcome, reviewed.status);
          return reviewed;
        })
      : null;
    if (review?.usage && review.usage.promptTokens + review.usage.completionTokens > 0) {
      charges.push({
        purpose: "devils_advocate",
        ...review.usage,
        provenance: {
          ...(review.status === "reviewed" ? review.provenance : { skipped: review.reason }),
          latencyMs: elapsedMs(reviewStarted),
        },
      });
    }
    if (review?.status === "reviewed") {
      artifacts.push(devilsAdvocateArtifact(review, { stage, type: definition.produces[0] as string }));
    }
    const dfeInput: DfeInput = {
      stage,
      artifact,
      upstream: ctx.artifacts,
      venture: ctx.venture,
      gate: evaluation,
      preferences: row.preferences,
      preferenceScopes: row.preferenceScopes,
      knownPatterns: row.knownPatterns,
      antiPatterns: row.antiPatterns,
      budget: phaseBudgetForDfe(budget, chargedTokens(charges)),
      devilsAdvocate: review?.status === "reviewed" ? { ...review.review, model: review.provenance.model } : undefined,
    };
    const dfe = withSpanSync("eva.dfe", {}, (span) => {
      const evaluated = evaluateDFE(dfeInput);
      span.setAttribute(ATTR.outcome, evaluated.output);
      return evaluated;
    });
    const decided = routeStageResult({
      stage,
      chairmanGate: row.stage.chairmanGate,
      evaluation,
      dfe,
      runNumber: row.work.runNumber,
    });
    const recommendedAction = row.stage.chairmanGate
      ? CHAIRMAN_RECOMMENDATION(stage, evaluation, dfe.output)
      : undefined;
    route = { ...decided, dfe: summarizeDfe(dfe), ...(recommendedAction ? { recommendedAction } : {}) };
    const primaryGate =
      evaluation.gate ?? (evaluation.reality && row.stage.gateType === "reality" ? evaluation.reality : null);
    gate = primaryGate
      ? {
          ...primaryGate,
          ...(evaluation.reality && evaluation.reality !== primaryGate ? { reality: evaluation.reality } : {}),
          dfe: summarizeDfe(dfe),
          replayInputs: recordReplayInputs(gateInput, dfeInput, definition.produces[0] as string),
          devilsAdvocate: review ? devilsAdvocateGateEntry(review) : undefined,
          ...(recommendedAction ? { recommendedAction } : {}),
        }
      : null;
  }

  const { rows: recorded } = await sql<{ result: Record<string, unknown> }>`
    select eva.fn_record_stage_result(${workId}::uuid, ${JSON.stringify(artifacts)}::jsonb,
      ${gate ? JSON.stringify(gate) : null}::jsonb, ${JSON.stringify(charges)}::jsonb,
      ${JSON.stringify(route)}::jsonb, ${contract.id}::uuid) as result`.execute(db);
  const outcome = recorded[0]?.result ?? {};
  log(`stage ${stage}: ${String(outcome.outcome)}`);
  switch (outcome.outcome) {
    case "advanced":
      return {
        outcome: "advanced",
        workId,
        stage,
        nextStage: Number(outcome.nextStage),
        nextWorkId: String(outcome.nextWorkId),
        artifactVersion: outcome.artifactVersion == null ? null : Number(outcome.artifactVersion),
      };
    case "awaiting_decision":
      return {
        outcome: "awaiting_decision",
        workId,
        stage,
        decisionId: String(outcome.decisionId),
        artifactVersion: Number(outcome.artifactVersion),
      };
    case "rerun":
      return {
        outcome: "rerun",
        workId,
        stage,
        nextStage: Number(outcome.nextStage),
        ...(outcome.gateDecision ? { gateDecision: String(outcome.gateDecision) } : {}),
      };
    case "engineering":
      return {
        outcome: "engineering",
        workId,
        stage,
        nextStage: Number(outcome.nextStage),
        sagaId: String(outcome.sagaId),
      };
    case "killed":
    case "gate_blocked":
      return {
        outcome: outcome.outcome,
        workId,
        stage,
        gateDecision: String(outcome.gateDecision ?? "kill"),
        ...(outcome.reason ? { reason: String(outcome.reason) } : {}),
      };
    default:
      // contract_timeout / contract_failed: a late result of a contract the sweep timed out, ignored.
      return String(outcome.status).startsWith("contract_")
        ? {
            outcome: "noop",
            workId,
            detail: `late result ignored: the run's contract is ${String(outcome.status).slice(9)}`,
          }
        : { outcome: "noop", workId, detail: `result already recorded (${String(outcome.status)})` };
  }
}

/**
 * The Devil's Advocate's review as a child contract of the stage run's, its
 * model call through its analyst's circuit breakers. An open circuit skips
 * the review (no call), as any failure of the review does (spec §13).
 */
async function devilsAdvocateUnderContract(
  db: Database,
  adversary: Analyst,
  run: {
    parent: string;
    ventureId: string;
    workId: string;
    claimedBy: string;
    input: Parameters<typeof reviewAsDevilsAdvocate>[1];
  },
): Promise<Awaited<ReturnType<typeof reviewAsDevilsAdvocate>>> {
  const circuits = circuitsFor(adversary);
  const ran = await runUnderContract(
    db,
    {
      kind: "devils_advocate",
      targetAgent: "DEVILS_ADVOCATE",
      action: "devils_advocate_review",
      ventureId: run.ventureId,
      stage: run.input.stage,
      stageWorkId: run.workId,
      parentContractId: run.parent,
      tokenBudget: run.input.budget ? Math.max(0, Math.min(run.input.budget.remaining, 2_147_483_647)) : null,
      circuits,
    },
    () => reviewAsDevilsAdvocate(adversary, run.input),
    {
      claimedBy: run.claimedBy,
      settle: (review) =>
        review.status === "reviewed"
          ? {
              status: "completed",
              result: { verdict: review.review.verdict, model: review.provenance.model },
              call: circuits.length > 0 && !review.provenance.cached ? "succeeded" : null,
            }
          : {
              status: "failed",
              error: review.reason,
              call: circuits.length > 0 && review.callFailed ? "failed" : null,
            },
    },
  );
  if (ran.status === "deferred") {
    return {
      status: "skipped",
      reason: `the Devil's Advocate's circuit is open (${ran.refusedBy.join(", ")}) until ${ran.retryAt}: no call made`,
    };
  }
  return ran.value;
}
