// The stage modules by number. Stage 1 is the human's input (no analysis);
// stages 2-25 each run an analysisStep.
import { stage02 } from "./stage-02.ts";
import { stage03 } from "./stage-03.ts";
import { stage04 } from "./stage-04.ts";
import { stage05 } from "./stage-05.ts";
import { stage06 } from "./stage-06.ts";
import { stage07 } from "./stage-07.ts";
import { stage08 } from "./stage-08.ts";
import { stage09 } from "./stage-09.ts";
import { stage10 } from "./stage-10.ts";
import { stage11 } from "./stage-11.ts";
import { stage12 } from "./stage-12.ts";
import { stage13 } from "./stage-13.ts";
import { stage14 } from "./stage-14.ts";
import { stage15 } from "./stage-15.ts";
import { stage16 } from "./stage-16.ts";
import { stage17 } from "./stage-17.ts";
import { stage18 } from "./stage-18.ts";
import { stage19 } from "./stage-19.ts";
import { stage20 } from "./stage-20.ts";
import { stage21 } from "./stage-21.ts";
import { stage22 } from "./stage-22.ts";
import { stage23 } from "./stage-23.ts";
import { stage24 } from "./stage-24.ts";
import { stage25 } from "./stage-25.ts";
import type { StageDefinition } from "./types.ts";

// biome-ignore lint/suspicious/noExplicitAny: each stage has its own analysis and derived types
export type AnyStage = StageDefinition<any, any>;

export const STAGES: ReadonlyMap<number, AnyStage> = new Map<number, AnyStage>(
  [
    stage02,
    stage03,
    stage04,
    stage05,
    stage06,
    stage07,
    stage08,
    stage09,
    stage10,
    stage11,
    stage12,
    stage13,
    stage14,
    stage15,
    stage16,
    stage17,
    stage18,
    stage19,
    stage20,
    stage21,
    stage22,
    stage23,
    stage24,
    stage25,
  ].map((s) => [s.number, s]),
);

export function stageDefinition(stage: number): AnyStage | undefined {
  return STAGES.get(stage);
}
