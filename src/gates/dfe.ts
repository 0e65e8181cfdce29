// The Decision Filter Engine (spec §6): after every stage, decide whether the
// venture goes on by itself (AUTO_PROCEED) or the Chairman is asked
// (PRESENT_TO_CHAIRMAN, …_WITH_MITIGATIONS when every trigger that fired has
// an obvious remedy). Pure: a function of the stage's artifact, its upstream,
// the gate's evaluation, the Chairman's preferences and the portfolio's known
// patterns, so a recorded evaluation can be recomputed.
//
// The triggers and what each reads, per stage (the spec's six, and the Devil's Advocate's):
// - cost_threshold: the monthly spend the stage's plan commits, against
//   `cost_threshold` (a monthly amount in the venture's currency). Stage 5:
//   year-1 projected costs / 12. Stage 11: the total monthly channel budget.
//   Stage 16: the peak monthly spend of any phase (phase costs / its months).
//   Other stages state no spend and the trigger does not apply. A monthly
//   rate, not a total: a total grows with the length of the plan, the rate is
//   what a venture burns while nobody is asked. It also fires, at any stage,
//   when the phase's token budget is at least 80 % spent (input `budget`:
//   spent, limit and percent in the trigger).
// - new_tech_vendor: Stage 14 techStack (frontend, backend, database, hosting,
//   languages). A choice is approved when it, or every part of it ("A + B",
//   "A (B)"), is in `approved_vendors` (comma list; case, spaces, dots and
//   hyphens ignored).
// - strategic_pivot: Stage 25 ventureDecision "pivot"; Stage 7 pricingModel
//   other than the one Stage 5 projected on; constraint drift HIGH in the
//   market or product category.
// - low_score: the score the stage's gate reads, against `score_threshold`
//   (0-100). Stage 2 compositeScore, Stage 3 overallScore, Stage 10 the selected
//   name's weighted total, Stage 20 overallPassRate, Stage 24
//   launchOutcome.criteriaMetRate, Stage 25 ventureHealth.overall. Other stages
//   carry no 0-100 score.
// - novel_pattern: the stage's pattern signature
//   `${archetype}:${stage}:${key choice}` is not among the patterns other
//   ventures produced at the stage. Key choices: Stage 4 dominant market
//   pricing model, 5 pricing model, 7 pricing model/positioning, 9 most likely
//   exit type, 10 naming strategy, 11 channel type with the largest budget, 14
//   backend/hosting, 23 launch type, 25 venture decision. Stages without a key
//   choice get `${archetype}:${stage}` and are not judged for novelty. Novelty
//   is judged only once the portfolio knows at least
//   `novel_pattern_min_portfolio` patterns at the stage (default 1): in an
//   empty portfolio every choice would be "novel", the trigger would say
//   nothing, and the first venture (spec Phase A) would stop at every stage.
//   Set it to 0 to escalate a portfolio's first patterns too.
// - constraint_drift: detectConstraintDrift's overall severity at or above
//   `drift_escalation_severity` (LOW, MEDIUM or HIGH; default MEDIUM).
// - devils_advocate_challenge: at the Devil's Advocate's gates (input
//   `devilsAdvocate`), a review whose verdict is challenge with at least one
//   high or critical risk; the trigger carries its arguments and risks. The
//   Chairman's judgement: never mitigable.
//
// Mitigations: cost — phase the spend; vendor — review and add to
// approved_vendors, or re-run Stage 14 with approved ones; drift — re-run the
// stage against the Stage 1 brief, or amend the brief. A pivot, a low score, a
// novel pattern and a missing preference need the Chairman's judgement, so
// with any of them the output is PRESENT_TO_CHAIRMAN (mitigations still listed).
//
// A preference a trigger needs — the trigger has something to compare at this
// stage: a cost, named vendors, a score, an unknown key-choice signature, drift
// above NONE — that is missing or unreadable fires that trigger conservatively
// (spec §13: "Conservative defaults force PRESENT_TO_CHAIRMAN on missing
// preferences"), naming the preference. The recommended action: `block` when
// a low score, a strategic pivot, HIGH drift or a failing gate decision is
// among the reasons; else `modify_thresholds` when a missing preference is;
// else `proceed` (also with no trigger: the gate's own decision still routes).
import type { Archetype } from "../stages/enums.ts";
import type { UpstreamArtifact, VentureBrief } from "../stages/types.ts";
import {
  arr,
  type ConstraintDriftReport,
  DRIFT_CATEGORIES,
  type DriftSeverity,
  detectConstraintDrift,
  num,
  rec,
  severityRank,
  str,
  strs,
} from "./drift.ts";
import type { GateEvaluation } from "./types.ts";

export const DFE_TRIGGER_TYPES = [
  "cost_threshold",
  "new_tech_vendor",
  "strategic_pivot",
  "low_score",
  "novel_pattern",
  "constraint_drift",
  "devils_advocate_challenge",
] as const;
export type DfeTriggerType = (typeof DFE_TRIGGER_TYPES)[number];

export type DfeOutput = "AUTO_PROCEED" | "PRESENT_TO_CHAIRMAN" | "PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS";
export type DfeRecommendedAction = "proceed" | "block" | "modify_thresholds";

/** The Chairman preference keys the DFE reads, and what each means. */
export const DFE_PREFERENCE_KEYS = {
  cost_threshold:
    "Monthly spend (venture currency) a stage's plan may commit without the Chairman: Stage 5 year-1 costs / 12, Stage 11 monthly channel budget, Stage 16 peak monthly phase spend.",
  score_threshold:
    "0-100: a gate score below it escalates (Stage 2 composite, 3 overall, 10 selected name, 20 pass rate, 24 criteria met, 25 venture health).",
  approved_vendors:
    "Comma-separated technologies and vendors the portfolio has vetted; a Stage 14 tech-stack choice outside it escalates. Empty: none approved.",
  drift_escalation_severity: "LOW, MEDIUM or HIGH: constraint drift from the Stage 1 brief at or above it escalates.",
  novel_pattern_min_portfolio:
    "Integer ≥ 0: novelty is judged once the portfolio knows at least this many patterns at the stage (0: a portfolio's first patterns escalate too).",
} as const;
export type DfePreferenceKey = keyof typeof DFE_PREFERENCE_KEYS;

/** The portfolio's vetted baseline stack: mainstream open-source web technology and managed hosting. */
export const DEFAULT_APPROVED_VENDORS = [
  "React",
  "Next.js",
  "Vue",
  "Static site generator",
  "Server-rendered web app",
  "Node.js",
  "TypeScript",
  "JavaScript",
  "Python",
  "FastAPI",
  "Django",
  "Go",
  "SQL",
  "PostgreSQL",
  "Redis",
  "Managed cloud containers",
  "Managed platform (PaaS)",
  "CDN + serverless functions",
] as const;

/** The global preferences a migration seeds (spec §6 for the first two). */
export const DEFAULT_GLOBAL_PREFERENCES: Readonly<Record<DfePreferenceKey, string>> = {
  cost_threshold: "50000",
  score_threshold: "50",
  approved_vendors: DEFAULT_APPROVED_VENDORS.join(", "),
  drift_escalation_severity: "MEDIUM",
  novel_pattern_min_portfolio: "1",
};

export interface DfeInput {
  stage: number;
  artifact: Record<string, unknown>;
  upstream: Record<string, UpstreamArtifact>;
  venture: VentureBrief;
  gate: GateEvaluation | null;
  /** Preferences in force: venture scope already merged over global. */
  preferences: Record<string, string>;
  /** Where each preference came from (eva.fn_resolve_chairman_preferences returns it); reported, not used to decide. */
  preferenceScopes?: Record<string, "venture" | "global">;
  /** Pattern signatures other ventures produced at this stage. */
  knownPatterns: string[];
  /**
   * The knowledge base's anti-patterns at this stage (eva.portfolio_anti_patterns): signatures whose
   * ventures died more often than the stage's. A known one fires novel_pattern too (known, but to fail).
   */
  antiPatterns?: DfeAntiPattern[] | undefined;
  /** The token budget of the stage's phase, spend including this run's calls (null limit: no phase budget). */
  budget?: { phase: number; limit: number | null; spent: number | null } | undefined;
  /** The Devil's Advocate's review of this stage, when it reviewed (not when it was skipped). */
  devilsAdvocate?: DfeDevilsAdvocateReview | undefined;
}

export interface DfeAntiPattern {
  signature: string;
  ventures: number;
  died: number;
  rate: number;
  baseline: number;
}

export interface DfeDevilsAdvocateReview {
  verdict: "concur" | "challenge";
  summary: string;
  counterArguments: string[];
  risks: { risk: string; severity: string }[];
  /** The model that reviewed (its provenance), reported with the trigger. */
  model?: string | undefined;
}

/** Share of a phase's token budget spent at which the cost trigger fires. */
export const PHASE_BUDGET_ALERT_SHARE = 0.8;

export interface DfeTrigger {
  type: DfeTriggerType;
  detail: string;
  value?: number | string | string[];
  threshold?: number | string | string[];
  /** Set when the trigger fired because the preference it needs is missing or unreadable. */
  missingPreference?: DfePreferenceKey;
  /** novel_pattern from a known anti-pattern: its counts in the knowledge base. */
  antiPattern?: DfeAntiPattern;
  /** cost_threshold from the phase's token budget: the figures. */
  budget?: { phase: number; spent: number; limit: number; percent: number };
  /** devils_advocate_challenge: what the Chairman is asked to weigh. */
  devilsAdvocate?: {
    summary: string;
    counterArguments: string[];
    risks: { risk: string; severity: string }[];
    model?: string;
  };
}

/** "unscoped": present, but the caller did not say from which scope. */
export type PreferenceSource = "venture" | "global" | "unscoped" | "missing";

export interface ThresholdUsed<T> {
  /** The parsed value, null when missing or unreadable. */
  value: T | null;
  raw: string | null;
  source: PreferenceSource;
  /** Present but unreadable: treated as missing. */
  invalid?: true;
}

export interface DfeThresholds {
  cost_threshold: ThresholdUsed<number>;
  score_threshold: ThresholdUsed<number>;
  approved_vendors: ThresholdUsed<string[]>;
  drift_escalation_severity: ThresholdUsed<Exclude<DriftSeverity, "NONE">>;
  novel_pattern_min_portfolio: ThresholdUsed<number>;
}

export interface DfeResult {
  output: DfeOutput;
  triggers: DfeTrigger[];
  mitigations: string[];
  patternSignature: string;
  recommendedAction: DfeRecommendedAction;
  thresholds: DfeThresholds;
  /** The constraint drift report the constraint_drift and strategic_pivot triggers read. */
  drift: ConstraintDriftReport;
}

export function evaluateDFE(input: DfeInput): DfeResult {
  const { stage, artifact, venture } = input;
  const thresholds = readThresholds(input.preferences, input.preferenceScopes);
  const drift = detectConstraintDrift(venture, stage, artifact, input.upstream);
  const triggers: DfeTrigger[] = [];
  const mitigations: string[] = [];
  const missing = (key: DfePreferenceKey, t: ThresholdUsed<unknown>) =>
    `preference ${key} is ${t.invalid ? `unreadable ("${t.raw}")` : "missing (no venture or global value)"}: escalating conservatively`;

  // 1. Cost threshold.
  const cost = stageCost(stage, artifact);
  if (cost) {
    const t = thresholds.cost_threshold;
    if (t.value === null) {
      triggers.push({
        type: "cost_threshold",
        detail: `${cost.what} is ${fmt(cost.monthly)} a month; ${missing("cost_threshold", t)}`,
        value: cost.monthly,
        missingPreference: "cost_threshold",
      });
    } else if (cost.monthly > t.value) {
      triggers.push({
        type: "cost_threshold",
        detail: `${cost.what} is ${fmt(cost.monthly)} a month, above the ${fmt(t.value)} threshold`,
        value: cost.monthly,
        threshold: t.value,
      });
      mitigations.push(
        `Phase the spend: commit up to ${fmt(t.value)} a month now and release the remaining ${fmt(cost.monthly - t.value)} a month at the next gate against measured results${cost.hint ? ` (${cost.hint})` : ""}.`,
      );
    }
  }

  // 1b. The phase's token budget nearly spent.
  const b = input.budget;
  if (b && b.limit !== null && b.limit > 0 && b.spent !== null && b.spent >= PHASE_BUDGET_ALERT_SHARE * b.limit) {
    const percent = Math.round((b.spent / b.limit) * 1000) / 10;
    triggers.push({
      type: "cost_threshold",
      detail: `the phase ${b.phase} token budget is ${percent}% spent (${fmt(b.spent)} of ${fmt(b.limit)} tokens; the alert is at ${PHASE_BUDGET_ALERT_SHARE * 100}%)`,
      value: b.spent,
      threshold: b.limit,
      budget: { phase: b.phase, spent: b.spent, limit: b.limit, percent },
    });
    mitigations.push(
      `Raise the phase ${b.phase} token budget (eva.venture_phase_budgets) or let the venture finish the phase on the ${fmt(Math.max(b.limit - b.spent, 0))} tokens left.`,
    );
  }

  // 2. New tech vendor.
  const named = namedVendors(stage, artifact);
  if (named.length) {
    const t = thresholds.approved_vendors;
    if (t.value === null) {
      triggers.push({
        type: "new_tech_vendor",
        detail: `Stage ${stage} names ${named.join(", ")}; ${missing("approved_vendors", t)}`,
        value: named,
        missingPreference: "approved_vendors",
      });
    } else {
      const approved = new Set(t.value.map(vendorKey));
      const unapproved = named.filter((v) => !isApproved(v, approved));
      if (unapproved.length) {
        triggers.push({
          type: "new_tech_vendor",
          detail: `Stage ${stage} names technologies/vendors not on the approved list: ${unapproved.join(", ")}`,
          value: unapproved,
          threshold: t.value,
        });
        mitigations.push(
          `Review ${unapproved.join(", ")} and add them to approved_vendors (for this venture or globally) after review, or re-run Stage ${stage} restricted to approved vendors.`,
        );
      }
    }
  }

  // 3. Strategic pivot.
  const pivots = detectPivot(stage, artifact, input.upstream, drift);
  if (pivots.length) triggers.push({ type: "strategic_pivot", detail: pivots.join("; ") });

  // 4. Low score.
  const score = gateScore(stage, artifact);
  if (score) {
    const t = thresholds.score_threshold;
    if (t.value === null) {
      triggers.push({
        type: "low_score",
        detail: `${score.what} is ${score.value}; ${missing("score_threshold", t)}`,
        value: score.value,
        missingPreference: "score_threshold",
      });
    } else if (score.value < t.value) {
      triggers.push({
        type: "low_score",
        detail: `${score.what} is ${score.value}, below the ${t.value} threshold`,
        value: score.value,
        threshold: t.value,
      });
    }
  }

  // 5. Novel pattern.
  const choice = keyChoice(stage, artifact);
  const patternSignature = signature(venture.archetype, stage, choice);
  if (choice !== null) {
    const known = [...new Set(input.knownPatterns.filter((p) => p.split(":")[1] === String(stage)))];
    const isKnown = known.includes(patternSignature);
    const t = thresholds.novel_pattern_min_portfolio;
    if (!isKnown && t.value === null) {
      triggers.push({
        type: "novel_pattern",
        detail: `pattern ${patternSignature} is not among the ${known.length} known at Stage ${stage}; ${missing("novel_pattern_min_portfolio", t)}`,
        value: patternSignature,
        missingPreference: "novel_pattern_min_portfolio",
      });
    } else if (!isKnown && t.value !== null && known.length >= t.value) {
      triggers.push({
        type: "novel_pattern",
        detail: `no other venture has produced pattern ${patternSignature} at Stage ${stage} (${known.length} known: ${known.slice(0, 5).join(", ")}${known.length > 5 ? ", …" : ""})`,
        value: patternSignature,
        threshold: known,
      });
    }
  }

  // 5b. A known anti-pattern (spec §10: the novel_pattern trigger checks against known patterns, failures too).
  const anti = (input.antiPatterns ?? []).find((p) => p.signature === patternSignature);
  if (choice !== null && anti) {
    triggers.push({
      type: "novel_pattern",
      detail: `pattern ${patternSignature} is a known anti-pattern: ${anti.died} of ${anti.ventures} ventures that produced it died (${Math.round(anti.rate * 100)}%, against ${Math.round(anti.baseline * 100)}% of the ventures at Stage ${stage})`,
      value: patternSignature,
      antiPattern: anti,
    });
  }

  // 6. Constraint drift.
  if (drift.overall !== "NONE") {
    const t = thresholds.drift_escalation_severity;
    const drifted = DRIFT_CATEGORIES.filter((c) => drift.categories[c].severity !== "NONE");
    const summary = drifted.map((c) => `${c} ${drift.categories[c].severity}`).join(", ");
    if (t.value === null) {
      triggers.push({
        type: "constraint_drift",
        detail: `drift from the Stage 1 brief: ${summary}; ${missing("drift_escalation_severity", t)}`,
        value: drift.overall,
        missingPreference: "drift_escalation_severity",
      });
    } else if (severityRank(drift.overall) >= severityRank(t.value)) {
      const over = drifted.filter(
        (c) => severityRank(drift.categories[c].severity) >= severityRank(t.value as DriftSeverity),
      );
      triggers.push({
        type: "constraint_drift",
        detail: `drift from the Stage 1 brief: ${summary} (${over.map((c) => drift.categories[c].evidence[0]).join("; ")})`,
        value: drift.overall,
        threshold: t.value,
      });
      mitigations.push(
        `Re-run Stage ${stage} against the Stage 1 brief (${over.join(", ")} drifted), or amend the Stage 1 brief if the change is intended.`,
      );
    }
  }

  // 7. The Devil's Advocate challenges with high-severity risks.
  const da = input.devilsAdvocate;
  const risky =
    da?.verdict === "challenge" ? da.risks.filter((r) => r.severity === "critical" || r.severity === "high") : [];
  if (da && risky.length) {
    triggers.push({
      type: "devils_advocate_challenge",
      detail: `the Devil's Advocate${da.model ? ` (${da.model})` : ""} challenges the Stage ${stage} case with ${risky.length} high-severity risk(s) (${risky.map((r) => `${r.severity}: ${r.risk}`).join("; ")}): ${da.summary}`,
      value: [...da.counterArguments, ...risky.map((r) => r.risk)],
      devilsAdvocate: {
        summary: da.summary,
        counterArguments: da.counterArguments,
        risks: risky,
        ...(da.model ? { model: da.model } : {}),
      },
    });
  }

  return {
    output: outputFor(triggers),
    triggers,
    mitigations,
    patternSignature,
    recommendedAction: recommend(triggers, drift, input.gate),
    thresholds,
    drift,
  };
}

/** Whether a fired trigger has an obvious remedy the DFE lists (the rest need the Chairman's judgement). */
function mitigable(t: DfeTrigger): boolean {
  if (t.missingPreference) return false;
  if (t.type === "constraint_drift") return true;
  return t.type === "cost_threshold" || t.type === "new_tech_vendor";
}

function outputFor(triggers: DfeTrigger[]): DfeOutput {
  if (!triggers.length) return "AUTO_PROCEED";
  return triggers.every(mitigable) ? "PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS" : "PRESENT_TO_CHAIRMAN";
}

/** Gate decisions that stop a venture (spec §7.2 enums), for the recommendation. */
const STOPPING = new Set(["kill", "fail", "no_go", "cancel", "reject", "blocked", "hold"]);

function recommend(
  triggers: DfeTrigger[],
  drift: ConstraintDriftReport,
  gate: GateEvaluation | null,
): DfeRecommendedAction {
  if (!triggers.length) return "proceed";
  const gateStops = [gate?.gate?.decision, gate?.reality?.decision].some((d) => d !== undefined && STOPPING.has(d));
  const blocking = triggers.some(
    (t) =>
      !t.missingPreference &&
      (t.type === "low_score" ||
        t.type === "strategic_pivot" ||
        (t.type === "constraint_drift" && drift.overall === "HIGH")),
  );
  if (blocking || gateStops) return "block";
  if (triggers.some((t) => t.missingPreference)) return "modify_thresholds";
  return "proceed";
}

// ——— Preferences ———

/** The thresholds as the DFE reads them from preferences (a what-if checks its values with it too). */
export function readThresholds(
  prefs: Record<string, string>,
  scopes?: Record<string, "venture" | "global">,
): DfeThresholds {
  const read = <T>(key: DfePreferenceKey, parse: (raw: string) => T | null): ThresholdUsed<T> => {
    const raw = Object.hasOwn(prefs, key) && typeof prefs[key] === "string" ? (prefs[key] as string) : null;
    if (raw === null) return { value: null, raw: null, source: "missing" };
    const source: PreferenceSource = scopes?.[key] ?? "unscoped";
    const value = parse(raw);
    return value === null ? { value, raw, source, invalid: true } : { value, raw, source };
  };
  const number = (min: number, max: number) => (raw: string) => {
    const cleaned = raw.replace(/[\s,_]/g, "");
    if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
    const n = Number(cleaned);
    return n >= min && n <= max ? n : null;
  };
  return {
    cost_threshold: read("cost_threshold", number(0, Number.MAX_SAFE_INTEGER)),
    score_threshold: read("score_threshold", number(0, 100)),
    approved_vendors: read("approved_vendors", (raw) =>
      raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    drift_escalation_severity: read("drift_escalation_severity", (raw) => {
      const s = raw.trim().toUpperCase();
      return s === "LOW" || s === "MEDIUM" || s === "HIGH" ? s : null;
    }),
    novel_pattern_min_portfolio: read("novel_pattern_min_portfolio", (raw) => {
      const n = number(0, 1_000_000)(raw);
      return n !== null && Number.isInteger(n) ? n : null;
    }),
  };
}

// ——— What each stage states ———

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const round = (n: number) => Math.round(n);

/** The monthly spend a stage's plan commits, or null when the stage states none. */
export function stageCost(
  stage: number,
  a: Record<string, unknown>,
): { monthly: number; what: string; hint?: string } | null {
  if (stage === 5) {
    const y1 = num(arr(rec(a.projections).costs)[0]);
    return y1 === null ? null : { monthly: round(y1 / 12), what: `Stage 5 year-1 costs (${fmt(y1)}) / 12` };
  }
  if (stage === 11) {
    const channels = arr(a.channels).map(rec);
    const total = num(rec(a.budgetSummary).totalChannelBudget) ?? sumOrNull(channels.map((c) => num(c.budget)));
    if (total === null) return null;
    const paid = channels
      .filter((c) => c.channelType === "paid")
      .sort((x, y) => (num(y.budget) ?? 0) - (num(x.budget) ?? 0));
    const top = paid[0] ? str(paid[0].name) : null;
    return {
      monthly: round(total),
      what: "the Stage 11 monthly channel budget",
      ...(top ? { hint: `start with the owned, organic and earned channels; hold back part of ${top}` } : {}),
    };
  }
  if (stage === 16) {
    let peak: { monthly: number; phase: string; months: number } | null = null;
    for (const p of arr(a.phases).map(rec)) {
      const months = num(p.durationMonths) ?? num(p.duration);
      const total = sumOrNull(Object.values(rec(p.costs)).map(num));
      if (months === null || months <= 0 || total === null) continue;
      const monthly = total / months;
      if (!peak || monthly > peak.monthly) peak = { monthly, phase: str(p.phaseName) ?? "a phase", months };
    }
    return peak
      ? {
          monthly: round(peak.monthly),
          what: `the Stage 16 peak monthly spend (phase "${peak.phase}", ${peak.months} months)`,
          hint: `split phase "${peak.phase}" and fund its second half on the first half's results`,
        }
      : null;
  }
  return null;
}

function sumOrNull(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((s, v) => s + v, 0) : null;
}

/** The 0-100 score the stage's gate reads, or null when the stage carries none. */
export function gateScore(stage: number, a: Record<string, unknown>): { value: number; what: string } | null {
  const pick = (value: number | null, what: string) => (value === null ? null : { value, what });
  switch (stage) {
    case 2:
      return pick(num(a.compositeScore), "the Stage 2 composite score");
    case 3:
      return pick(num(a.overallScore), "the Stage 3 overall score");
    case 10: {
      const selected = str(rec(a.decision).selectedName);
      const ranking = arr(a.ranking).map(rec);
      const entry = ranking.find((r) => r.name === selected) ?? ranking[0];
      return pick(num(entry?.weightedTotal), `the selected name's weighted score${selected ? ` (${selected})` : ""}`);
    }
    case 20:
      return pick(num(a.overallPassRate), "the Stage 20 test pass rate (%)");
    case 24:
      return pick(num(rec(a.launchOutcome).criteriaMetRate), "the share of launch success criteria met (%)");
    case 25:
      return pick(num(rec(a.ventureHealth).overall), "the Stage 25 venture health");
    default:
      return null;
  }
}

/** Technologies and vendors the stage chooses (Stage 14 tech stack). */
export function namedVendors(stage: number, a: Record<string, unknown>): string[] {
  if (stage !== 14) return [];
  const stack = rec(a.techStack);
  const named = [...strs([stack.frontend, stack.backend, stack.database, stack.hosting]), ...strs(stack.languages)].map(
    (s) => s.trim(),
  );
  return [...new Map(named.map((v) => [vendorKey(v), v])).values()];
}

/** A vendor name compared loosely: case, spaces, dots, hyphens, underscores and brackets ignored. */
export const vendorKey = (name: string) => name.toLowerCase().replace(/[\s._\-()]/g, "");

function isApproved(name: string, approved: Set<string>): boolean {
  if (approved.has(vendorKey(name))) return true;
  const parts = name
    .split(/\s+\+\s+|,|\(|\)|\s+\/\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length > 1 && parts.every((p) => approved.has(vendorKey(p)));
}

function detectPivot(
  stage: number,
  a: Record<string, unknown>,
  upstream: Record<string, UpstreamArtifact>,
  drift: ConstraintDriftReport,
): string[] {
  const found: string[] = [];
  if (stage === 25 && rec(a.ventureDecision).decision === "pivot") {
    const why = str(rec(a.ventureDecision).rationale);
    found.push(`Stage 25 decides to pivot${why ? `: ${why}` : ""}`);
  }
  if (stage === 7) {
    const now = str(a.pricingModel);
    const before = str(rec(upstream.financial_model?.content.assumptions).pricingModel);
    if (now && before && now !== before) {
      found.push(`revenue model changes from ${before} (Stage 5 projections) to ${now}`);
    }
  }
  for (const c of ["market", "product"] as const) {
    if (drift.categories[c].severity === "HIGH") {
      found.push(`${c} drifted far from the Stage 1 brief: ${drift.categories[c].evidence.join("; ")}`);
    }
  }
  return found;
}

/** The stage's key choice for the pattern signature, or null when the stage has none. */
export function keyChoice(stage: number, a: Record<string, unknown>): string | null {
  switch (stage) {
    case 4:
      return str(rec(rec(a.stage5Handoff).pricingLandscape).dominantModel);
    case 5:
      return str(rec(a.assumptions).pricingModel);
    case 7: {
      const model = str(a.pricingModel);
      const strategy = str(rec(a.positioningDecision).strategy);
      return model ? (strategy ? `${model}/${strategy}` : model) : null;
    }
    case 9: {
      const paths = arr(a.exitPaths).map(rec);
      const top = [...paths].sort((x, y) => (num(y.probabilityPct) ?? 0) - (num(x.probabilityPct) ?? 0))[0];
      return top ? str(top.type) : null;
    }
    case 10:
      return str(a.namingStrategy);
    case 11: {
      const byType = Object.entries(rec(rec(a.budgetSummary).byChannelType))
        .map(([type, budget]) => [type, num(budget) ?? 0] as const)
        .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
      return byType[0] && byType[0][1] > 0 ? byType[0][0] : null;
    }
    case 14: {
      const stack = rec(a.techStack);
      const backend = str(stack.backend);
      const hosting = str(stack.hosting);
      return backend || hosting ? `${backend ?? "?"}/${hosting ?? "?"}` : null;
    }
    case 23:
      return str(a.launchType);
    case 25:
      return str(rec(a.ventureDecision).decision);
    default:
      return null;
  }
}

/** `${archetype}:${stage}:${choice}`, the choice in lower case, runs of characters other than letters, digits, "_", "/" and "+" as "-". */
export function signature(archetype: Archetype, stage: number, choice: string | null): string {
  if (choice === null) return `${archetype}:${stage}`;
  const slug =
    choice
      .toLowerCase()
      .replace(/[^a-z0-9/+_]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 200) || "-";
  return `${archetype}:${stage}:${slug}`;
}

/**
 * Post-launch operations (spec §14): the DFE's verdict on a metric anomaly
 * (eva.metric_anomalies, found by the trailing median ± 3·MAD rule). A
 * deviation of at least METRIC_ANOMALY_ESCALATE_Z robust standard deviations
 * (twice the detection threshold), or one whose size is unknown (a flat
 * history, robustZ null), goes to the Chairman; a smaller one proceeds and is
 * reported in the daily digest. Pure: recorded with its inputs so it can be
 * recomputed.
 */
export const METRIC_ANOMALY_ESCALATE_Z = 6;

export interface MetricAnomalyInput {
  metric: string;
  value: number;
  median: number;
  mad: number;
  /** (value − median) / (1.4826 · MAD); null when MAD is 0. */
  robustZ: number | null;
}

export interface MetricAnomalyVerdict {
  output: Extract<DfeOutput, "AUTO_PROCEED" | "PRESENT_TO_CHAIRMAN">;
  resolution: "auto_proceed" | "escalate";
  reason: string;
  robustZ: number | null;
  escalateAtZ: number;
}

export function evaluateMetricAnomaly(input: MetricAnomalyInput): MetricAnomalyVerdict {
  const z = input.robustZ;
  const direction = input.value > input.median ? "above" : "below";
  if (z === null || Math.abs(z) >= METRIC_ANOMALY_ESCALATE_Z) {
    const size = z === null ? "against a flat history (size unknown)" : `${Math.abs(z)} robust SDs ${direction}`;
    return {
      output: "PRESENT_TO_CHAIRMAN",
      resolution: "escalate",
      reason: `${input.metric} = ${input.value} is ${size} its trailing median ${input.median}`,
      robustZ: z,
      escalateAtZ: METRIC_ANOMALY_ESCALATE_Z,
    };
  }
  return {
    output: "AUTO_PROCEED",
    resolution: "auto_proceed",
    reason: `${input.metric} = ${input.value} is ${Math.abs(z)} robust SDs ${direction} its trailing median ${input.median}, under ${METRIC_ANOMALY_ESCALATE_Z}`,
    robustZ: z,
    escalateAtZ: METRIC_ANOMALY_ESCALATE_Z,
  };
}
