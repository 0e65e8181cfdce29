// The Constraint Drift Detector (spec §13): does a later stage's output still
// hold to the Stage 1 brief? Four categories — market, competitor, product,
// timing — each NONE/LOW/MEDIUM/HIGH with the evidence for it, and the worst
// as the overall severity. Pure and deterministic: word overlap (the same
// content-word measure Stage 25's drift check uses) and explicit field
// comparisons, no model. It feeds the DFE's constraint_drift and
// strategic_pivot triggers.
//
// Only the stage's own new artifact is judged; upstream artifacts serve as
// the reference where Stage 1 says nothing (competitors) or as the anchor
// for dates. A drift an earlier stage introduced was judged at that stage, so
// it is not raised again at every stage that reads it.
//
// Rules
// - market: share of the Stage 1 targetMarket's content words found in what
//   the stage says about whom it serves — Stage 7 pricingTiers[].targetSegment,
//   Stage 8 customerSegments[].text, Stage 9 exitThesis, Stage 10
//   brandGenome.audience, Stage 11 customerTiers[] (name, description, persona),
//   Stage 25 currentVision. Severity by OVERLAP_BANDS.
// - product: share of the Stage 1 valueProp's content words found in the
//   stage's product and positioning text — Stage 7 pricingTiers[].features,
//   primaryValueMetric, positioningDecision.rationale; Stage 8
//   valuePropositions[].text; Stage 10 narrativeExtension.mission and
//   brandGenome.differentiators; Stage 13 milestones and deliverables; Stage 18
//   sprintGoal and sprintItems; Stage 25 currentVision. Severity by
//   OVERLAP_BANDS; at Stage 25 its own driftCheck.semanticDrift counts too
//   (moderate_drift → MEDIUM, major_drift → HIGH), the worse of the two wins.
// - competitor: Stage 1 names no competitors, so the baseline is the first
//   list drawn from it, Stage 3's competitorEntities (upstream), else Stage 4's
//   competitors when Stage 3 is not in the stage's contract. Compared with
//   Stage 4 competitors[].name, Stage 5 stage4Context.competitorsConsidered,
//   Stage 7 competitiveContext.comparedCompetitors and Stage 9's acquirers of
//   buyerType competitor. HIGH when none of the baseline survives; MEDIUM when a
//   high-threat baseline competitor is dropped (Stage 4, the full analysis) or
//   more than half of the later list is new; LOW when any is dropped or added;
//   NONE when the sets agree. Stage 9's acquirers are a choice among the
//   competitors, so there only newcomers count.
//   Names match case-insensitively, or when half the shorter name's words match.
// - timing: Stage 1 success criteria with a deadline — relative ("in 12
//   months", "within a year", "in 2 quarters") or absolute ("by 2027", "by Q3
//   2027", "by March 2027", "by 2027-06-30"). Stage 13: the earliest milestone
//   whose outcomes/title/description carry the criterion, months from
//   roadmapStart against the deadline (slip ratio ≤ 1.1 NONE, ≤ 1.25 LOW, ≤ 1.5
//   MEDIUM, else HIGH); a deadline no milestone carries is LOW. Stage 23: a
//   criterion measured over a window longer than its deadline is MEDIUM, a
//   Stage 1 criterion missing from the launch's success criteria is LOW.
//   Stages 22/23 (release targetDate, plannedLaunchDate) and Stage 9
//   milestones: a date after an absolute deadline — or after a relative one
//   when a roadmap start is at hand — is HIGH, as the criterion can no longer
//   be met in time.
import { contentWords, sharedWords } from "../stages/assumptions-reality.ts";
import type { UpstreamArtifact, VentureBrief } from "../stages/types.ts";

export const DRIFT_SEVERITIES = ["NONE", "LOW", "MEDIUM", "HIGH"] as const;
export type DriftSeverity = (typeof DRIFT_SEVERITIES)[number];
export const DRIFT_CATEGORIES = ["market", "competitor", "product", "timing"] as const;
export type DriftCategory = (typeof DRIFT_CATEGORIES)[number];

export interface DriftFinding {
  severity: DriftSeverity;
  /** Why: what was compared with what, and what was found. Never empty. */
  evidence: string[];
  /** False when the stage states nothing comparable in this category (severity is then NONE). */
  compared: boolean;
}

export interface ConstraintDriftReport {
  stage: number;
  overall: DriftSeverity;
  categories: Record<DriftCategory, DriftFinding>;
}

/** Word-overlap bands: a share of the baseline's content words kept at or above `min` gets `severity`. */
export const OVERLAP_BANDS: readonly { min: number; severity: DriftSeverity }[] = [
  { min: 0.5, severity: "NONE" },
  { min: 0.3, severity: "LOW" },
  { min: 0.15, severity: "MEDIUM" },
  { min: 0, severity: "HIGH" },
];

/** Timing slip bands: planned months / allowed months at or under `max` gets `severity`. */
export const SLIP_BANDS: readonly { max: number; severity: DriftSeverity }[] = [
  { max: 1.1, severity: "NONE" },
  { max: 1.25, severity: "LOW" },
  { max: 1.5, severity: "MEDIUM" },
  { max: Number.POSITIVE_INFINITY, severity: "HIGH" },
];

export function severityRank(s: DriftSeverity): number {
  return DRIFT_SEVERITIES.indexOf(s);
}

export function worst(severities: readonly DriftSeverity[]): DriftSeverity {
  return severities.reduce<DriftSeverity>((w, s) => (severityRank(s) > severityRank(w) ? s : w), "NONE");
}

export function detectConstraintDrift(
  baseline: VentureBrief,
  stage: number,
  artifact: Record<string, unknown>,
  upstream: Record<string, UpstreamArtifact>,
): ConstraintDriftReport {
  const categories: Record<DriftCategory, DriftFinding> = {
    market: marketDrift(baseline, stage, artifact),
    competitor: competitorDrift(stage, artifact, upstream),
    product: productDrift(baseline, stage, artifact),
    timing: timingDrift(baseline, stage, artifact, upstream),
  };
  return {
    stage,
    overall: worst(DRIFT_CATEGORIES.map((c) => categories[c].severity)),
    categories,
  };
}

// ——— Defensive readers (artifacts may come from any version of a stage module) ———

export const rec = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const str = (x: unknown): string | null => (typeof x === "string" && x.trim() ? x : null);
export const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
/** The non-empty strings of a list. */
export const strs = (x: unknown): string[] => arr(x).flatMap((s) => (str(s) ? [s as string] : []));
/** A field of each record of a list, where it is a non-empty string. */
const pluck = (list: unknown, ...fields: string[]): string[] =>
  arr(list).flatMap((item) => fields.flatMap((f) => (str(rec(item)[f]) ? [rec(item)[f] as string] : [])));

const notCompared = (why: string): DriftFinding => ({ severity: "NONE", evidence: [why], compared: false });

// ——— Market and product: word overlap with the Stage 1 text ———

/** What each stage says about whom it serves. */
function marketText(stage: number, a: Record<string, unknown>): string[] {
  switch (stage) {
    case 7:
      return pluck(a.pricingTiers, "targetSegment");
    case 8:
      return pluck(a.customerSegments, "text");
    case 9:
      return strs([a.exitThesis]);
    case 10:
      return strs([rec(a.brandGenome).audience]);
    case 11:
      return pluck(a.customerTiers, "name", "description", "persona");
    case 25:
      return strs([a.currentVision]);
    default:
      return [];
  }
}

/** What each stage says the product is and how it is positioned. */
function productText(stage: number, a: Record<string, unknown>): string[] {
  switch (stage) {
    case 7:
      return [
        ...arr(a.pricingTiers).flatMap((t) => strs(rec(t).features)),
        ...strs([a.primaryValueMetric, rec(a.positioningDecision).rationale]),
      ];
    case 8:
      return pluck(a.valuePropositions, "text");
    case 10:
      return [...strs([rec(a.narrativeExtension).mission]), ...strs(rec(a.brandGenome).differentiators)];
    case 13:
      return [
        ...pluck(a.milestones, "title", "description"),
        ...arr(a.milestones).flatMap((m) => pluck(rec(m).deliverables, "name", "description")),
      ];
    case 18:
      return [...strs([a.sprintGoal]), ...pluck(a.sprintItems, "title", "description")];
    case 25:
      return strs([a.currentVision]);
    default:
      return [];
  }
}

function overlapSeverity(share: number): DriftSeverity {
  return (OVERLAP_BANDS.find((b) => share >= b.min) ?? { severity: "HIGH" as const }).severity;
}

function overlapFinding(label: string, baselineText: string, texts: string[], stage: number): DriftFinding {
  const base = contentWords(baselineText);
  if (!base.length) return notCompared(`Stage 1 ${label} has no content words to compare`);
  const later = contentWords(texts.join(" "));
  const kept = sharedWords(base, later);
  const share = kept.length / base.length;
  const lost = base.filter((w) => !kept.includes(w));
  const severity = overlapSeverity(share);
  return {
    severity,
    compared: true,
    evidence: [
      `Stage ${stage} keeps ${kept.length} of ${base.length} words of the Stage 1 ${label} (${Math.round(share * 100)}%)` +
        (lost.length ? `; missing: ${lost.slice(0, 8).join(", ")}` : ""),
    ],
  };
}

function marketDrift(baseline: VentureBrief, stage: number, a: Record<string, unknown>): DriftFinding {
  const texts = marketText(stage, a);
  if (!texts.length) return notCompared(`Stage ${stage} states no target segments`);
  return overlapFinding("target market", baseline.targetMarket, texts, stage);
}

const SEMANTIC: Record<string, DriftSeverity> = { aligned: "NONE", moderate_drift: "MEDIUM", major_drift: "HIGH" };

function productDrift(baseline: VentureBrief, stage: number, a: Record<string, unknown>): DriftFinding {
  const texts = productText(stage, a);
  if (!texts.length) return notCompared(`Stage ${stage} states no product or positioning`);
  const finding = overlapFinding("value proposition", baseline.valueProp || baseline.description, texts, stage);
  if (stage === 25) {
    const check = rec(a.driftCheck);
    const semantic = str(check.semanticDrift);
    const explicit = semantic ? SEMANTIC[semantic] : undefined;
    if (explicit) {
      finding.evidence.push(`Stage 25 drift check: ${semantic}${str(check.rationale) ? ` (${check.rationale})` : ""}`);
      finding.severity = worst([finding.severity, explicit]);
    }
  }
  return finding;
}

// ——— Competitors: the first list drawn from Stage 1 against later lists ———

interface Competitor {
  name: string;
  threat: string | null;
}

function competitorBaseline(
  stage: number,
  upstream: Record<string, UpstreamArtifact>,
): { source: string; list: Competitor[] } | null {
  const s3 = upstream.validation_scorecard?.content;
  if (s3 && arr(s3.competitorEntities).length) {
    return {
      source: "Stage 3 competitor entities",
      list: arr(s3.competitorEntities).flatMap((e) => {
        const name = str(rec(e).name);
        return name ? [{ name, threat: str(rec(e).threatLevel) ?? str(rec(e).threat_level) }] : [];
      }),
    };
  }
  const s4 = upstream.competitive_analysis?.content;
  if (stage !== 4 && s4 && arr(s4.competitors).length) {
    return {
      source: "Stage 4 competitors",
      list: pluck(s4.competitors, "name").map((name) => ({ name, threat: null })),
    };
  }
  return null;
}

function laterCompetitors(stage: number, a: Record<string, unknown>): string[] | null {
  switch (stage) {
    case 4:
      return pluck(a.competitors, "name");
    case 5:
      return strs(rec(a.stage4Context).competitorsConsidered);
    case 7:
      return strs(rec(a.competitiveContext).comparedCompetitors);
    case 9:
      return arr(a.targetAcquirers)
        .filter((t) => rec(t).buyerType === "competitor")
        .flatMap((t) => strs([rec(t).name]));
    default:
      return null;
  }
}

const nameWords = (name: string) =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !["inc", "ltd", "llc", "gmbh", "the", "and", "co"].includes(w));

/** Same company: equal ignoring case and punctuation, or half the shorter name's words shared. */
export function sameCompetitor(a: string, b: string): boolean {
  const wa = nameWords(a);
  const wb = nameWords(b);
  if (!wa.length || !wb.length) return a.trim().toLowerCase() === b.trim().toLowerCase();
  if (wa.join(" ") === wb.join(" ")) return true;
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  const shared = short.filter((w) => long.includes(w)).length;
  return shared / short.length >= 0.5 && shared >= 1;
}

function competitorDrift(
  stage: number,
  a: Record<string, unknown>,
  upstream: Record<string, UpstreamArtifact>,
): DriftFinding {
  if (stage === 3) return notCompared("Stage 3 sets the competitor baseline (Stage 1 names no competitors)");
  const later = laterCompetitors(stage, a);
  if (later === null) return notCompared(`Stage ${stage} names no competitors`);
  const baseline = competitorBaseline(stage, upstream);
  if (!baseline?.list.length) {
    return notCompared(`no competitor baseline (Stage 3 or 4) in the stage's upstream artifacts`);
  }
  if (!later.length) {
    // Stage 9 may name no competitor acquirer; that is a choice, not drift.
    return notCompared(`Stage ${stage} lists no competitors this time`);
  }
  // Stage 9's competitor acquirers are a choice among the competitors: only newcomers count there.
  const subset = stage === 9;
  const kept = baseline.list.filter((b) => later.some((l) => sameCompetitor(b.name, l)));
  const dropped = subset ? [] : baseline.list.filter((b) => !kept.includes(b));
  const added = later.filter((l) => !baseline.list.some((b) => sameCompetitor(b.name, l)));
  const droppedHigh = stage === 4 ? dropped.filter((d) => d.threat === "high") : [];
  const evidence = [
    `Against ${baseline.source} (${baseline.list.map((b) => b.name).join(", ")}): ` +
      (subset
        ? `${later.length - added.length} of the ${later.length} competitor acquirers named at Stage ${stage} are known, ${added.length} new`
        : `${kept.length} kept, ${dropped.length} dropped, ${added.length} new of ${later.length} named at Stage ${stage}`),
  ];
  if (dropped.length) evidence.push(`dropped: ${dropped.map((d) => d.name).join(", ")}`);
  if (added.length) evidence.push(`new: ${added.join(", ")}`);
  if (droppedHigh.length)
    evidence.push(`high-threat competitor(s) dropped: ${droppedHigh.map((d) => d.name).join(", ")}`);
  const severity: DriftSeverity =
    kept.length === 0 && !subset
      ? "HIGH"
      : droppedHigh.length > 0 || added.length / later.length > 0.5
        ? "MEDIUM"
        : dropped.length || added.length
          ? "LOW"
          : "NONE";
  return { severity, evidence, compared: true };
}

// ——— Timing: Stage 1 success-criteria deadlines against planned dates ———

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  eighteen: 18,
  "twenty-four": 24,
};
const UNIT_MONTHS: Record<string, number> = { day: 1 / 30.44, week: 7 / 30.44, month: 1, quarter: 3, year: 12 };
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

const RELATIVE =
  /\b(?:in|within|inside|over|after|by)\s+(?:the\s+)?(?:first\s+|next\s+)?(\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four)\s*-?\s*(day|week|month|quarter|year)s?\b/i;
const FIRST_YEAR = /\b(?:in|within|by the end of)\s+(?:the\s+)?(?:first|1st)\s+year\b|\byear\s+(?:one|1)\b/i;
const ABSOLUTE_ISO = /\bby\s+(\d{4})-(\d{2})(?:-(\d{2}))?\b/i;
const ABSOLUTE_QUARTER = /\bby\s+(?:the\s+end\s+of\s+)?q([1-4])\s+(\d{4})\b/i;
const ABSOLUTE_MONTH = new RegExp(`\\bby\\s+(?:the\\s+end\\s+of\\s+)?(${MONTHS.join("|")})\\s+(\\d{4})\\b`, "i");
const ABSOLUTE_YEAR = /\bby\s+(?:the\s+end\s+of\s+)?(\d{4})\b/i;

export interface Deadline {
  criterion: string;
  /** The criterion without its deadline phrase: what is to be achieved. */
  goal: string;
  /** Months allowed from the start of the plan (relative deadlines). */
  months: number | null;
  /** The last day allowed (absolute deadlines), ISO date. */
  date: string | null;
}

const iso = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The deadline a success criterion states, or null when it states none. */
export function parseDeadline(criterion: string): Deadline | null {
  const strip = (re: RegExp) => criterion.replace(re, " ").replace(/\s+/g, " ").trim();
  let m = RELATIVE.exec(criterion);
  if (m) {
    const raw = (m[1] as string).toLowerCase().replace(",", ".");
    const n = NUMBER_WORDS[raw] ?? Number(raw);
    const unit = (m[2] as string).toLowerCase();
    return { criterion, goal: strip(RELATIVE), months: n * (UNIT_MONTHS[unit] ?? 1), date: null };
  }
  if (FIRST_YEAR.test(criterion)) return { criterion, goal: strip(FIRST_YEAR), months: 12, date: null };
  m = ABSOLUTE_ISO.exec(criterion);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = m[3] ? Number(m[3]) : lastDay(y, mo);
    return { criterion, goal: strip(ABSOLUTE_ISO), months: null, date: iso(y, mo, d) };
  }
  m = ABSOLUTE_QUARTER.exec(criterion);
  if (m) {
    const y = Number(m[2]);
    const mo = Number(m[1]) * 3;
    return { criterion, goal: strip(ABSOLUTE_QUARTER), months: null, date: iso(y, mo, lastDay(y, mo)) };
  }
  m = ABSOLUTE_MONTH.exec(criterion);
  if (m) {
    const y = Number(m[2]);
    const mo = MONTHS.indexOf((m[1] as string).toLowerCase()) + 1;
    return { criterion, goal: strip(ABSOLUTE_MONTH), months: null, date: iso(y, mo, lastDay(y, mo)) };
  }
  m = ABSOLUTE_YEAR.exec(criterion);
  if (m) {
    const y = Number(m[1]);
    return { criterion, goal: strip(ABSOLUTE_YEAR), months: null, date: iso(y, 12, 31) };
  }
  return null;
}

/** A window such as "90 days" or "12 months" in months, or null. */
export function windowMonths(text: string): number | null {
  const m = /(\d+(?:[.,]\d+)?|a|an|one|two|three|six|twelve)\s*-?\s*(day|week|month|quarter|year)s?\b/i.exec(text);
  if (!m) return null;
  const raw = (m[1] as string).toLowerCase().replace(",", ".");
  return (NUMBER_WORDS[raw] ?? Number(raw)) * (UNIT_MONTHS[(m[2] as string).toLowerCase()] ?? 1);
}

const parseDate = (x: unknown): number | null => {
  const s = str(x);
  if (!s || !/^\d{4}-\d{2}-\d{2}/.test(s)) return null;
  const t = Date.parse(s.slice(0, 10));
  return Number.isNaN(t) ? null : t;
};
const monthsBetween = (from: number, to: number) => (to - from) / (30.44 * 24 * 3600 * 1000);
const round1 = (x: number) => Math.round(x * 10) / 10;

function slipSeverity(ratio: number): DriftSeverity {
  return (SLIP_BANDS.find((b) => ratio <= b.max) ?? { severity: "HIGH" as const }).severity;
}

/** Does `text` carry the goal of a criterion? Half of the goal's content words, and at least two (or all of one), appear in it. */
function carries(goal: string, text: string): boolean {
  const words = contentWords(goal);
  if (!words.length) return false;
  const shared = sharedWords(words, contentWords(text)).length;
  return shared / words.length >= 0.5 && shared >= Math.min(2, words.length);
}

/** The deadline as a date, given the plan's start for relative deadlines. */
function deadlineAt(d: Deadline, start: number | null): number | null {
  if (d.date) return parseDate(d.date);
  if (d.months !== null && start !== null) return start + d.months * 30.44 * 24 * 3600 * 1000;
  return null;
}

function timingDrift(
  baseline: VentureBrief,
  stage: number,
  a: Record<string, unknown>,
  upstream: Record<string, UpstreamArtifact>,
): DriftFinding {
  if (![9, 13, 22, 23].includes(stage)) return notCompared(`Stage ${stage} plans no dates against the criteria`);
  if (!baseline.successCriteria.length) return notCompared("Stage 1 states no success criteria");
  const deadlines = baseline.successCriteria.map(parseDeadline).filter((d): d is Deadline => d !== null);
  const evidence: string[] = [];
  const severities: DriftSeverity[] = [];
  const start = parseDate(a.roadmapStart) ?? parseDate(upstream.product_roadmap?.content.roadmapStart);

  if (stage === 13) {
    const milestones = arr(a.milestones).map(rec);
    for (const d of deadlines) {
      const carriers = milestones
        .filter((m) =>
          carries(d.goal, [str(m.title), str(m.description), ...strs(m.outcomes)].filter(Boolean).join(" ")),
        )
        .map((m) => ({ title: str(m.title) ?? "a milestone", at: parseDate(m.targetDate) }))
        .filter((m): m is { title: string; at: number } => m.at !== null)
        .sort((x, y) => x.at - y.at);
      const first = carriers[0];
      const due = deadlineAt(d, start);
      if (!first) {
        severities.push("LOW");
        evidence.push(`"${d.criterion}" has a deadline but no roadmap milestone carries it`);
        continue;
      }
      if (due === null || start === null) {
        evidence.push(`"${d.criterion}": no roadmap start to measure "${first.title}" against`);
        continue;
      }
      const allowed = monthsBetween(start, due);
      const planned = monthsBetween(start, first.at);
      const ratio = allowed > 0 ? planned / allowed : Number.POSITIVE_INFINITY;
      const s = slipSeverity(ratio);
      severities.push(s);
      evidence.push(
        `"${d.criterion}": "${first.title}" is planned ${round1(planned)} months after the roadmap start, ` +
          `${round1(allowed)} allowed (×${round1(ratio)})`,
      );
    }
  }

  if (stage === 23) {
    const launchCriteria = arr(a.successCriteria).map(rec);
    for (const criterion of baseline.successCriteria) {
      const d = parseDeadline(criterion);
      const goal = d?.goal ?? criterion;
      const match = launchCriteria.find((c) => carries(goal, `${str(c.metric) ?? ""} ${str(c.target) ?? ""}`));
      if (!match) {
        severities.push("LOW");
        evidence.push(`Stage 1 criterion "${criterion}" is not among the launch's success criteria`);
        continue;
      }
      const window = windowMonths(str(match.measurementWindow) ?? "");
      if (d?.months != null && window !== null && window > d.months * 1.1) {
        severities.push("MEDIUM");
        evidence.push(
          `"${criterion}" is measured over ${match.measurementWindow}, longer than the ${round1(d.months)} months Stage 1 allows`,
        );
      }
    }
  }

  // A planned date past a deadline: the criterion cannot be met in time.
  const dated: { what: string; at: number | null; goalText: string | null }[] =
    stage === 22
      ? [{ what: "the release target date", at: parseDate(a.targetDate), goalText: null }]
      : stage === 23
        ? [{ what: "the planned launch date", at: parseDate(a.plannedLaunchDate), goalText: null }]
        : stage === 9
          ? arr(a.milestones).map((m) => ({
              what: `the exit milestone "${str(rec(m).successCriteria) ?? "?"}"`,
              at: parseDate(rec(m).date),
              goalText: str(rec(m).successCriteria),
            }))
          : [];
  for (const d of deadlines) {
    const due = deadlineAt(d, start);
    if (due === null) continue;
    for (const x of dated) {
      if (x.at === null || (x.goalText !== null && !carries(d.goal, x.goalText))) continue;
      if (x.at > due) {
        severities.push("HIGH");
        evidence.push(
          `${x.what} (${new Date(x.at).toISOString().slice(0, 10)}) falls after the deadline of "${d.criterion}" ` +
            `(${new Date(due).toISOString().slice(0, 10)})`,
        );
      }
    }
  }

  if (!deadlines.length && stage !== 23) return notCompared("no Stage 1 success criterion states a deadline");
  if (!evidence.length) {
    evidence.push(
      deadlines.length
        ? `Stage ${stage} dates are within the Stage 1 deadlines`
        : "every Stage 1 success criterion is among the launch's criteria; none states a deadline",
    );
  }
  return { severity: worst(severities), evidence, compared: true };
}
