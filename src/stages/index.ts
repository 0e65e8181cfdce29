// The stage modules by number. Stage 1 is the human's input (no analysis);
// stages 2-25 each run an analysisStep.
import { stage02 } from "./stage-02.ts";
import type { StageDefinition } from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: each stage has its own analysis and derived types
export type AnyStage = StageDefinition<any, any>;

export const STAGES: ReadonlyMap<number, AnyStage> = new Map<number, AnyStage>([[2, stage02]]);

export function stageDefinition(stage: number): AnyStage | undefined {
  return STAGES.get(stage);
}
