// What every synthesis component is given: the path output and the context
// EVA read from its own database before the calls (I/O stays at the edges).
import type { PathOutput } from "../contract.ts";

export interface CapitalItem {
  source: "nursery" | "brief" | "retrospective" | "pattern" | "feedback";
  ref: string;
  name: string;
  text: string;
  /** What happened to it, when known (killed, parked, approved, sunset …). */
  outcome: string | null;
  /** Word overlap with the idea (Jaccard over content words), 0-1: measured, not judged. */
  similarity: number;
}

export interface PortfolioVenture {
  name: string;
  archetype: string;
  stage: number;
  status: string;
}

export interface SynthesisInput {
  path: PathOutput;
  capital: CapitalItem[];
  portfolio: PortfolioVenture[];
  /** The Chairman's global preferences (key → value), e.g. cost_threshold, score_threshold. */
  preferences: Record<string, string>;
}

export function describePath(p: PathOutput): string {
  return [
    `Entry path: ${p.origin}`,
    `Venture: ${p.name}`,
    `Description: ${p.description}`,
    `Problem: ${p.problemStatement}`,
    `Solution: ${p.solution}`,
    `Target market: ${p.targetMarket}`,
    p.competitorRef.length ? `Competitors: ${p.competitorRef.join(", ")}` : "",
    ...p.notes.map((n) => `Note: ${n}`),
  ]
    .filter(Boolean)
    .join("\n");
}

const STOP = new Set(
  "a an and are as at be by for from has have in is it its of on or that the their them they this to was were which who will with without your you our we can not no".split(
    " ",
  ),
);

export function contentWords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !STOP.has(w)),
  );
}

/** Jaccard similarity of two texts' content words (0-1, four decimals). */
export function similarity(a: string, b: string): number {
  const x = contentWords(a);
  const y = contentWords(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return Math.round((shared / (x.size + y.size - shared)) * 10_000) / 10_000;
}

export const pathText = (p: PathOutput) => `${p.name} ${p.problemStatement} ${p.solution} ${p.targetMarket}`;

export const clampScore = (x: number) => Math.round(Math.min(100, Math.max(0, x)));
