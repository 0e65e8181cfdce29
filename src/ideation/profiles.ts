// Stage 0's evaluation profiles (spec §16): the nine weights that combine the
// synthesis components' scores (0-100 each) into one weighted score, and the
// gate thresholds per boundary. Resolution: an explicit profile → the active
// one → the legacy defaults below. Profiles live in eva.evaluation_profiles,
// written only by eva.fn_create_evaluation_profile / fn_activate_evaluation_profile.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";

/** The nine scored components, in the spec's order (the eight synthesis components and virality). */
export const PROFILE_COMPONENTS = [
  "cross_reference",
  "portfolio_evaluation",
  "problem_reframing",
  "moat_architecture",
  "chairman_constraints",
  "time_horizon",
  "archetypes",
  "build_cost",
  "virality",
] as const;
export type ProfileComponent = (typeof PROFILE_COMPONENTS)[number];

/** The gate boundaries a profile may set a threshold for. */
export const GATE_BOUNDARIES = ["5->6", "9->10", "12->13", "16->17", "20->21"] as const;
export type GateBoundary = (typeof GATE_BOUNDARIES)[number];

export type ProfileWeights = Record<ProfileComponent, number>;

/** The spec's legacy weights, used when no profile is active (they sum to 1). */
export const LEGACY_WEIGHTS: Readonly<ProfileWeights> = Object.freeze({
  cross_reference: 0.1,
  portfolio_evaluation: 0.1,
  problem_reframing: 0.05,
  moat_architecture: 0.15,
  chairman_constraints: 0.15,
  time_horizon: 0.1,
  archetypes: 0.1,
  build_cost: 0.1,
  virality: 0.15,
});

/**
 * The legacy gate thresholds per boundary (minimum score 0-100), used for a
 * boundary a profile leaves out: the Chairman's global score threshold (50)
 * at the early boundaries, stricter where money and launch follow.
 */
export const LEGACY_GATE_THRESHOLDS: Readonly<Record<GateBoundary, number>> = Object.freeze({
  "5->6": 50,
  "9->10": 50,
  "12->13": 55,
  "16->17": 60,
  "20->21": 60,
});

export const profileWeightsSchema = z
  .object(
    Object.fromEntries(PROFILE_COMPONENTS.map((c) => [c, z.number().min(0).max(1)])) as {
      [K in ProfileComponent]: z.ZodNumber;
    },
  )
  .strict()
  .refine((w) => Math.abs(PROFILE_COMPONENTS.reduce((s, c) => s + w[c], 0) - 1) < 0.0005, {
    error: "the nine weights must sum to 1",
  });

export const gateThresholdsSchema = z
  .object(
    Object.fromEntries(GATE_BOUNDARIES.map((b) => [b, z.number().min(0).max(100).optional()])) as {
      [K in GateBoundary]: z.ZodOptional<z.ZodNumber>;
    },
  )
  .strict();

export interface EvaluationProfile {
  /** null for the legacy defaults (no row). */
  id: string | null;
  name: string;
  version: number;
  description: string | null;
  weights: ProfileWeights;
  /** What the profile sets itself (boundaries left out use LEGACY_GATE_THRESHOLDS). */
  gateThresholds: Partial<Record<GateBoundary, number>>;
  isActive: boolean;
  createdAt: string | null;
  activatedAt: string | null;
}

export interface ResolvedProfile {
  profile: EvaluationProfile;
  /** How it was chosen: named by the caller, the active profile, or the legacy defaults (none active). */
  source: "explicit" | "active" | "legacy";
}

export const LEGACY_PROFILE: Readonly<EvaluationProfile> = Object.freeze({
  id: null,
  name: "legacy",
  version: 0,
  description: "The spec's default weights, used when no evaluation profile is active.",
  weights: { ...LEGACY_WEIGHTS },
  gateThresholds: {},
  isActive: false,
  createdAt: null,
  activatedAt: null,
});

/** A boundary's threshold under a profile: its own, else the legacy default. */
export function gateThreshold(profile: EvaluationProfile, boundary: GateBoundary): number {
  return profile.gateThresholds[boundary] ?? LEGACY_GATE_THRESHOLDS[boundary];
}

export interface WeightedScore {
  /** 0-100, two decimals; null when no component has a score. */
  score: number | null;
  /** The weights actually applied (renormalised over the components that have a score). */
  applied: Partial<ProfileWeights>;
  /** Components without a score (indeterminate): their weight was left out, not counted as 0. */
  missing: ProfileComponent[];
}

/**
 * Σ weightᵢ·scoreᵢ / Σ weightᵢ over the components that have a score (0-100):
 * pure and deterministic (same inputs, same number, whatever the key order).
 * A component without a score is reported missing and its weight left out,
 * so an unknown never reads as a zero. Scores are clamped to 0-100.
 */
export function calculateWeightedScore(
  profile: Pick<EvaluationProfile, "weights">,
  componentScores: Partial<Record<ProfileComponent, number | null | undefined>>,
): WeightedScore {
  let total = 0;
  let weightSum = 0;
  const missing: ProfileComponent[] = [];
  const present: ProfileComponent[] = [];
  for (const component of PROFILE_COMPONENTS) {
    const score = componentScores[component];
    if (score === null || score === undefined || !Number.isFinite(score)) {
      missing.push(component);
      continue;
    }
    const weight = profile.weights[component];
    present.push(component);
    total += weight * Math.min(100, Math.max(0, score));
    weightSum += weight;
  }
  const applied: Partial<ProfileWeights> = {};
  for (const c of present) applied[c] = weightSum > 0 ? round(profile.weights[c] / weightSum, 4) : 0;
  if (present.length === 0 || weightSum === 0) return { score: null, applied, missing };
  return { score: round(total / weightSum, 2), applied, missing };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

interface ProfileRow {
  id: string;
  name: string;
  version: number;
  description: string | null;
  weight_cross_reference: string;
  weight_portfolio_evaluation: string;
  weight_problem_reframing: string;
  weight_moat_architecture: string;
  weight_chairman_constraints: string;
  weight_time_horizon: string;
  weight_archetypes: string;
  weight_build_cost: string;
  weight_virality: string;
  gate_thresholds: Record<string, number>;
  is_active: boolean;
  created_at: Date | string;
  activated_at: Date | string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toProfile(r: ProfileRow): EvaluationProfile {
  const weights = Object.fromEntries(
    PROFILE_COMPONENTS.map((c) => [c, Number(r[`weight_${c}` as keyof ProfileRow])]),
  ) as ProfileWeights;
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    description: r.description,
    weights,
    gateThresholds: r.gate_thresholds as Partial<Record<GateBoundary, number>>,
    isActive: r.is_active,
    createdAt: iso(r.created_at),
    activatedAt: iso(r.activated_at),
  };
}

/** Every profile version, newest name-version first within each name. */
export async function listProfiles(db: Database): Promise<EvaluationProfile[]> {
  const { rows } = await sql<ProfileRow>`select * from eva.evaluation_profiles order by name, version desc`.execute(db);
  return rows.map(toProfile);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A profile by id, by "name" (its newest version) or by "name@version";
 * undefined when there is none.
 */
export async function findProfile(db: Database, ref: string): Promise<EvaluationProfile | undefined> {
  if (UUID.test(ref)) {
    const { rows } = await sql<ProfileRow>`select * from eva.evaluation_profiles where id = ${ref}::uuid`.execute(db);
    return rows[0] ? toProfile(rows[0]) : undefined;
  }
  const at = /^(.*)@(\d+)$/.exec(ref);
  const { rows } = at
    ? await sql<ProfileRow>`select * from eva.evaluation_profiles where name = ${at[1]} and version = ${Number(at[2])}`.execute(
        db,
      )
    : await sql<ProfileRow>`select * from eva.evaluation_profiles where name = ${ref} order by version desc limit 1`.execute(
        db,
      );
  return rows[0] ? toProfile(rows[0]) : undefined;
}

export async function activeProfile(db: Database): Promise<EvaluationProfile | undefined> {
  const { rows } = await sql<ProfileRow>`select * from eva.evaluation_profiles where is_active`.execute(db);
  return rows[0] ? toProfile(rows[0]) : undefined;
}

export class ProfileNotFound extends Error {
  constructor(ref: string) {
    super(`there is no evaluation profile "${ref}" (eva profiles list shows them)`);
    this.name = "ProfileNotFound";
  }
}

/** explicit → active → legacy. A named profile that does not exist is an error, never a silent fallback. */
export async function resolveProfile(db: Database, explicit?: string | null): Promise<ResolvedProfile> {
  if (explicit) {
    const profile = await findProfile(db, explicit);
    if (!profile) throw new ProfileNotFound(explicit);
    return { profile, source: "explicit" };
  }
  const active = await activeProfile(db);
  if (active) return { profile: active, source: "active" };
  return { profile: { ...LEGACY_PROFILE, weights: { ...LEGACY_WEIGHTS } }, source: "legacy" };
}

/** Creates the next version of a profile (the database checks the weights too); with `activate`, makes it active. */
export async function createProfile(
  db: Database,
  input: {
    name: string;
    weights: ProfileWeights;
    gateThresholds?: Partial<Record<GateBoundary, number>>;
    description?: string | null;
    activate?: boolean;
  },
): Promise<EvaluationProfile> {
  const { rows } = await sql<ProfileRow>`select * from eva.fn_create_evaluation_profile(${input.name},
    ${JSON.stringify(input.weights)}::jsonb, ${JSON.stringify(input.gateThresholds ?? {})}::jsonb,
    ${input.description ?? null}, ${input.activate ?? false})`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_create_evaluation_profile returned no row");
  return toProfile(row);
}

export async function activateProfile(db: Database, id: string): Promise<EvaluationProfile> {
  const { rows } = await sql<ProfileRow>`select * from eva.fn_activate_evaluation_profile(${id}::uuid)`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_activate_evaluation_profile returned no row");
  return toProfile(row);
}
