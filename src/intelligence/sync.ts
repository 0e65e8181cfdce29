// The knowledge_sync tick (spec §4 Layer 1, §10): the whole portfolio's
// knowledge re-extracted, open stage-of-death predictions scored against what
// happened since, the gate signals brought up to date, and every open venture
// predicted once from each stage it reaches (so calibration needs no one to ask). Idempotent: a
// second run over unchanged data changes nothing.
import type { Database } from "../db/client.ts";
import { syncKnowledge } from "./knowledge.ts";
import { calibratePredictions } from "./predictor.ts";
import { recordGateSignals } from "./signals.ts";

export interface KnowledgeSyncResult {
  done: true;
  ventures: number;
  calibration: number;
  successPatterns: number;
  antiPatterns: number;
  predictionsScored: number;
  predictionsResolved: number;
  gateSignals: number;
  predictionsStored: number;
}

export async function runKnowledgeSync(db: Database): Promise<KnowledgeSyncResult> {
  const knowledge = await syncKnowledge(db);
  const scored = await calibratePredictions(db);
  const signals = await recordGateSignals(db, { storeDuePredictions: true });
  return {
    done: true,
    ventures: knowledge.ventures,
    calibration: knowledge.calibration.length,
    successPatterns: knowledge.successPatterns.length,
    antiPatterns: knowledge.antiPatterns.length,
    predictionsScored: scored.scored,
    predictionsResolved: scored.resolved,
    gateSignals: signals.length,
    predictionsStored: signals.predictionsStored ?? 0,
  };
}
