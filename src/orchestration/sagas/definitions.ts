// The three sagas of spec §15 on one engine. venture_retirement runs on the
// worker (one saga_step job per step); sd_execution and reality_gate_retry
// are recorded by the SQL functions that own them (the SD bridge and return
// path, the reality gate's retry step and settle), so their steps have no
// `run` here. The step names match what SQL writes to eva.eva_sagas.steps
// (test/sagas.test.ts checks it).
import { defineSaga } from "./engine.ts";
import { retirementSteps } from "./retirement.ts";

export const sdExecution = defineSaga({
  type: "sd_execution",
  driver: "sql",
  summary:
    "Stage 18 → 19: the SD bridge, engineering's reports, the results back to Stage 19 (timeout: sd_timeout_days, 7).",
  steps: ["bridge_create", "await_completion", "collect_results", "update_stage", "advance"].map((name) => ({
    name,
    onExhausted: "fail" as const,
  })),
});

export const realityGateRetry = defineSaga({
  type: "reality_gate_retry",
  driver: "sql",
  summary:
    "A failed reality gate: the responsible stage again with the failure as feedback, up to 3 retries, then the kill.",
  steps: ["identify_failure", "map_stages", "retry_analysis", "re_evaluate", "decide", "exhaust"].map((name) => ({
    name,
    onExhausted: "fail" as const,
  })),
});

export const ventureRetirement = defineSaga({
  type: "venture_retirement",
  driver: "worker",
  summary: "An ended venture: notify users, export data, tear down infrastructure, archive, retrospective.",
  steps: [
    // Spec §15: steps 1, 2, 4, 5 retry (idempotent); step 3 pauses at its first failure.
    { name: "notify_users", run: retirementSteps.notify_users, onExhausted: "pause" },
    { name: "export_data", run: retirementSteps.export_data, onExhausted: "pause" },
    { name: "teardown_infra", run: retirementSteps.teardown_infra, onExhausted: "pause" },
    { name: "archive_code", run: retirementSteps.archive_code, onExhausted: "pause" },
    { name: "retrospective", run: retirementSteps.retrospective, onExhausted: "pause", callsModel: true },
  ],
});
