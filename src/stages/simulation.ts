// Shared ground for the offline analyst: a venture's profile, drawn
// deterministically from its own inputs, so each stage's simulation tells a
// coherent story (a weak idea scores low at Stage 3, misses money at Stage 5)
// and different ventures meet different fates.
import { createRng, seedFrom } from "../llm/rng.ts";
import type { Archetype } from "./enums.ts";
import type { VentureBrief } from "./types.ts";

export interface VentureProfile {
  /** 0-1: how good the idea is overall. Drives every score. */
  strength: number;
  /** 0-1: size and urgency of the market. */
  market: number;
  /** 0-1: how hard it is to build. Higher is harder. */
  difficulty: number;
  /** 0-1: how defensible it is. */
  moat: number;
}

const ARCHETYPE_DIFFICULTY: Record<Archetype, number> = {
  saas: 0.35,
  marketplace: 0.5,
  deeptech: 0.8,
  hardware: 0.75,
  services: 0.3,
  media: 0.4,
  fintech: 0.6,
};

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The same venture inputs always give the same profile. */
export function ventureProfile(v: VentureBrief): VentureProfile {
  const rng = createRng(seedFrom(`${v.name}\n${v.description}\n${v.problemStatement}\n${v.valueProp}`));
  // Well-argued ideas (specific problem, stated assumptions and criteria, a moat) do better.
  const care =
    Math.min(v.problemStatement.length, 200) / 200 +
    Math.min(v.valueProp.length, 200) / 200 +
    Math.min(v.keyAssumptions.length, 4) / 4 +
    Math.min(v.successCriteria.length, 3) / 3 +
    (v.moatStrategy ? 1 : 0);
  const difficulty = clamp01(ARCHETYPE_DIFFICULTY[v.archetype] + rng.float(-0.15, 0.15));
  const strength = clamp01(0.15 + rng.next() * 0.6 + care * 0.06 - difficulty * 0.1);
  return {
    strength,
    market: clamp01(strength * 0.6 + rng.next() * 0.4),
    difficulty,
    moat: clamp01((v.moatStrategy ? 0.3 : 0) + rng.next() * 0.5 + strength * 0.2),
  };
}

/** A 0-100 integer score around `base` (0-1), spread by ±`spread` points. */
export function score(base: number, rng: { int(min: number, max: number): number }, spread = 10): number {
  return Math.min(100, Math.max(0, Math.round(base * 100) + rng.int(-spread, spread)));
}
