// What-if without a model (spec §6, §7.2): what a stage's gate and Decision
// Filter Engine were evaluated from, recorded with the gate outcome (the
// artifacts by reference and hash, everything else as it was), and their
// re-evaluation from that record, with preferences moved if asked. Pure: no
// database, no analyst, so a replay makes no LLM call by construction.
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../llm/hash.ts";
import type { UpstreamArtifact } from "../stages/types.ts";
import { DFE_PREFERENCE_KEYS, type DfeInput, type DfePreferenceKey, evaluateDFE, readThresholds } from "./dfe.ts";
import { evaluateStageGate, reevaluateGate } from "./index.ts";
import { canonicalKey, PREFERENCE_KEYS, profileFromPreferences } from "./profiles.ts";
import type { GateDecision, GateEvaluation, GateInput } from "./types.ts";

/** sha256 of an artifact's content as the database stores it (JSON, keys in any order). */
export function contentHash(content: unknown): string {
  return createHash("sha256")
    .update(canonicalJson(JSON.parse(JSON.stringify(content))))
    .digest("hex");
}

const artifactRef = z.object({
  stage: z.number().int(),
  type: z.string(),
  version: z.number().int(),
  qualityScore: z.number().nullable(),
  sha256: z.string(),
});
export type ArtifactRef = z.infer<typeof artifactRef>;

const replayRecord = z.object({
  format: z.literal(1),
  /** The stage's primary artifact: the version the same run recorded (found by its work row), and its hash. */
  artifact: z.object({ type: z.string(), sha256: z.string() }),
  /** The upstream artifacts both read, by version (artifact versions are immutable). */
  upstream: z.array(artifactRef),
  /** The DFE's input but its artifact, upstream and gate (the gate is re-evaluated first). */
  dfe: z.looseObject({
    stage: z.number().int(),
    venture: z.looseObject({ archetype: z.string() }),
    preferences: z.record(z.string(), z.string()),
    knownPatterns: z.array(z.string()),
  }),
  /** The gate's input but its artifact and upstream; the keys in `fromDfe` hold the same value as the DFE's. */
  gate: z.object({ input: z.record(z.string(), z.unknown()), fromDfe: z.array(z.string()) }).nullable(),
});
export type ReplayRecord = z.infer<typeof replayRecord>;

/**
 * The record a gate outcome keeps (as `replayInputs`) so its gate and DFE can
 * be evaluated again: built from the very inputs the engine evaluated, both
 * reading the same artifact and upstream. Fields either input gains later are
 * kept as they are.
 */
export function recordReplayInputs(gate: GateInput | null, dfe: DfeInput, artifactType: string): ReplayRecord {
  const { artifact, upstream, gate: _evaluated, ...dfeRest } = dfe;
  let gateRecord: ReplayRecord["gate"] = null;
  if (gate) {
    const { artifact: _a, upstream: _u, ...gateRest } = gate;
    const rest = gateRest as Record<string, unknown>;
    const shared = dfeRest as Record<string, unknown>;
    const fromDfe = Object.keys(rest).filter((k) => Object.hasOwn(shared, k) && rest[k] === shared[k]);
    gateRecord = { input: Object.fromEntries(Object.entries(rest).filter(([k]) => !fromDfe.includes(k))), fromDfe };
  }
  return JSON.parse(
    JSON.stringify({
      format: 1,
      artifact: { type: artifactType, sha256: contentHash(artifact) },
      upstream: Object.values(upstream).map((a) => ({
        stage: a.stage,
        type: a.type,
        version: a.version,
        qualityScore: a.qualityScore,
        sha256: contentHash(a.content),
      })),
      dfe: dfeRest,
      gate: gateRecord,
    }),
  );
}

/** The replay record of a recorded gate outcome, or null when it has none (recorded before EVA kept one). */
export function readReplayRecord(outcome: Record<string, unknown>): ReplayRecord | null {
  const parsed = replayRecord.safeParse(outcome.replayInputs);
  return parsed.success ? parsed.data : null;
}

// ——— What a what-if may move ———

/** Every preference key the gates and the DFE read, with what it means: what `--set` accepts. */
export const WHAT_IF_KEYS: Readonly<Record<string, string>> = {
  ...DFE_PREFERENCE_KEYS,
  ...Object.fromEntries(Object.entries(PREFERENCE_KEYS).map(([k, spec]) => [k, spec.description])),
};

export class WhatIfError extends Error {}

/**
 * `key=value` pairs as preferences (keys in their storable spelling, a dotted
 * `stage3.pass_threshold` read as `stage3_pass_threshold`). Refuses an unknown
 * key or a value the gate or DFE could not use, saying why; the last value of
 * a key repeated wins.
 */
export function parseWhatIf(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new WhatIfError(`"${pair}" is not key=value (e.g. stage3.pass_threshold=75)`);
    const key = canonicalKey(pair.slice(0, at));
    const value = pair.slice(at + 1).trim();
    if (!Object.hasOwn(WHAT_IF_KEYS, key)) {
      const prefix = key.split("_")[0] ?? key;
      const near = Object.keys(WHAT_IF_KEYS).filter((k) => k.split("_")[0] === prefix);
      throw new WhatIfError(
        `unknown key "${pair.slice(0, at)}"${near.length ? ` (${prefix} keys: ${near.join(", ")})` : ""}; \`eva gates replay --help\` lists every key`,
      );
    }
    const reason = Object.hasOwn(DFE_PREFERENCE_KEYS, key)
      ? readThresholds({ [key]: value })[key as DfePreferenceKey].invalid
        ? `not a usable value for ${key} (${DFE_PREFERENCE_KEYS[key as DfePreferenceKey]})`
        : null
      : (profileFromPreferences({ [key]: value }).rejected[0]?.reason ?? null);
    if (reason) throw new WhatIfError(`${key}=${value}: ${reason}`);
    out[key] = value;
  }
  return out;
}

// ——— Replay ———

/** One recorded gate outcome: a stage work row's gate_decision and gate_outcome. */
export interface RecordedGateOutcome {
  stage: number;
  run: number;
  gateType: string;
  decision: string;
  outcome: Record<string, unknown>;
}

/** What the database holds for a replay record's references: null where a version was not found. */
export interface ReplayArtifacts {
  artifact: Record<string, unknown> | null;
  upstream: (UpstreamArtifact | null)[];
}

export interface DfeView {
  output: string;
  recommendedAction: string;
  /** The trigger types that fired. */
  triggers: string[];
}

export interface ReplaySide {
  decision: string | null;
  rationale: string | null;
  /** The decision of the separate reality gate (Stages 5, 16, 20), null where there is none. */
  reality: string | null;
  dfe: DfeView | null;
}

export interface GateReplay {
  stage: number;
  run: number;
  gate: string;
  /** "recorded": gate and DFE from their recorded inputs; "gate only": the outcome kept only the gate's decision inputs. */
  replayedFrom: "recorded inputs" | "gate inputs only";
  recorded: ReplaySide;
  replayed: ReplaySide & { reason?: string };
  /** What differs, in words ("decision pass → kill", "DFE +low_score"); empty when the replay agrees. */
  changed: string[];
}

const rec = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
const text = (x: unknown): string | null => (typeof x === "string" ? x : null);

function dfeView(dfe: unknown): DfeView | null {
  const d = rec(dfe);
  if (typeof d.output !== "string") return null;
  return {
    output: d.output,
    recommendedAction: text(d.recommendedAction) ?? "",
    triggers: Array.isArray(d.triggers) ? d.triggers.map((t) => String(rec(t).type)) : [],
  };
}

function recordedSide(o: RecordedGateOutcome): ReplaySide {
  return {
    decision: o.decision,
    rationale: text(o.outcome.rationale),
    reality: text(rec(o.outcome.reality).decision),
    dfe: dfeView(o.outcome.dfe),
  };
}

/** Why the artifacts found are not the ones evaluated, or null when every one is there and unchanged. */
function artifactsProblem(record: ReplayRecord, found: ReplayArtifacts | null): string | null {
  if (!found?.artifact) return `the ${record.artifact.type} version this run recorded is not readable`;
  if (contentHash(found.artifact) !== record.artifact.sha256)
    return `the ${record.artifact.type} version this run recorded differs from the one evaluated`;
  for (const [i, ref] of record.upstream.entries()) {
    const a = found.upstream[i];
    if (!a) return `upstream ${ref.type} version ${ref.version} is not readable`;
    if (contentHash(a.content) !== ref.sha256) return `upstream ${ref.type} version ${ref.version} has changed`;
  }
  return null;
}

/** The gate and DFE inputs again, with the what-if's preferences over the recorded ones. */
export function rebuildInputs(
  record: ReplayRecord,
  found: { artifact: Record<string, unknown>; upstream: UpstreamArtifact[] },
  whatIf: Readonly<Record<string, string>> = {},
): { gate: GateInput | null; dfe: Omit<DfeInput, "gate"> } {
  const upstream = Object.fromEntries(found.upstream.map((a) => [a.type, a]));
  const moved = (prefs: unknown) => ({ ...(rec(prefs) as Record<string, string>), ...whatIf });
  const dfeRest = record.dfe as Record<string, unknown>;
  // A moved preference is the what-if's, not the venture's or the portfolio's: it is reported unscoped.
  const scopes = Object.fromEntries(Object.entries(rec(dfeRest.preferenceScopes)).filter(([k]) => !(k in whatIf)));
  const dfe = {
    ...dfeRest,
    ...(dfeRest.preferenceScopes ? { preferenceScopes: scopes } : {}),
    preferences: moved(dfeRest.preferences),
    artifact: found.artifact,
    upstream,
  } as unknown as Omit<DfeInput, "gate">;
  if (!record.gate) return { gate: null, dfe };
  const shared = Object.fromEntries(record.gate.fromDfe.map((k) => [k, dfeRest[k]]));
  const gateInput = { ...shared, ...record.gate.input } as Record<string, unknown>;
  return {
    gate: {
      ...gateInput,
      preferences: moved(gateInput.preferences),
      artifact: found.artifact,
      upstream,
    } as unknown as GateInput,
    dfe,
  };
}

function sideOf(evaluation: GateEvaluation, dfe: DfeView | null): ReplaySide {
  const primary = evaluation.gate ?? evaluation.reality;
  return {
    decision: primary?.decision ?? null,
    rationale: primary?.rationale ?? null,
    reality: evaluation.reality && evaluation.reality !== primary ? evaluation.reality.decision : null,
    dfe,
  };
}

/** The gate from its recorded decision inputs alone (an outcome without a replay record). */
function gateOnly(o: RecordedGateOutcome): GateEvaluation {
  const gate = rec(o.outcome);
  if (!gate.inputs) throw new Error("the outcome recorded no gate inputs");
  const reality = rec(gate.reality);
  return {
    gate: reevaluateGate(o.stage, "gate", rec(gate.inputs)) as GateDecision,
    reality: reality.inputs ? reevaluateGate(o.stage, "reality", rec(reality.inputs)) : null,
  };
}

function differences(a: ReplaySide, b: ReplaySide): string[] {
  const out: string[] = [];
  if (b.decision !== a.decision) out.push(`decision ${a.decision} → ${b.decision ?? "none"}`);
  if (b.reality !== a.reality) out.push(`reality ${a.reality ?? "none"} → ${b.reality ?? "none"}`);
  if (a.dfe && b.dfe) {
    if (b.dfe.output !== a.dfe.output) out.push(`DFE ${a.dfe.output} → ${b.dfe.output}`);
    const added = b.dfe.triggers.filter((t) => !a.dfe?.triggers.includes(t));
    const dropped = a.dfe.triggers.filter((t) => !b.dfe?.triggers.includes(t));
    if (added.length || dropped.length)
      out.push(`DFE triggers ${[...added.map((t) => `+${t}`), ...dropped.map((t) => `-${t}`)].join(" ")}`);
    if (b.dfe.recommendedAction !== a.dfe.recommendedAction)
      out.push(`DFE recommends ${a.dfe.recommendedAction} → ${b.dfe.recommendedAction}`);
  }
  return out;
}

/**
 * Re-evaluates one recorded gate outcome: the gate, then the DFE on the
 * replayed gate, from the recorded inputs with `whatIf` over the recorded
 * preferences. An outcome without a replay record (or whose artifacts are
 * not the ones evaluated) replays its gate from the gate's recorded decision
 * inputs, unmoved, and its DFE not at all, saying why: nothing is guessed.
 */
export function replayGateOutcome(
  o: RecordedGateOutcome,
  found: ReplayArtifacts | null,
  whatIf: Readonly<Record<string, string>> = {},
): GateReplay {
  const recorded = recordedSide(o);
  const record = readReplayRecord(o.outcome);
  const problem = record ? artifactsProblem(record, found) : null;
  const base = { stage: o.stage, run: o.run, gate: o.gateType };
  const empty: ReplaySide = { decision: null, rationale: null, reality: null, dfe: null };
  if (record && !problem && found?.artifact) {
    try {
      const inputs = rebuildInputs(
        record,
        { artifact: found.artifact, upstream: found.upstream as UpstreamArtifact[] },
        whatIf,
      );
      const evaluation = inputs.gate ? evaluateStageGate(inputs.gate) : { gate: null, reality: null };
      const replayed = sideOf(evaluation, dfeView(evaluateDFE({ ...inputs.dfe, gate: evaluation })));
      return { ...base, replayedFrom: "recorded inputs", recorded, replayed, changed: differences(recorded, replayed) };
    } catch (error) {
      const reason = `the recorded inputs no longer evaluate: ${error instanceof Error ? error.message : String(error)}`;
      return { ...base, replayedFrom: "recorded inputs", recorded, replayed: { ...empty, reason }, changed: [] };
    }
  }
  const unmoved = Object.keys(whatIf).length
    ? "; --set is not applied to it: the preferences in force were not recorded"
    : "";
  const reason = `${problem ?? "the outcome was recorded before EVA kept the DFE's inputs"}: its DFE cannot be replayed${unmoved}`;
  try {
    const replayed = { ...sideOf(gateOnly(o), null), reason };
    return { ...base, replayedFrom: "gate inputs only", recorded, replayed, changed: differences(recorded, replayed) };
  } catch (error) {
    const why = `${reason}, nor its gate (${error instanceof Error ? error.message : String(error)})`;
    return { ...base, replayedFrom: "gate inputs only", recorded, replayed: { ...empty, reason: why }, changed: [] };
  }
}
