// Post-launch jobs: glue between the anomaly rows (filled by SQL triggers) and
// the DFE. The notifications' webhook is a subscription of the event bus (the
// notification_webhook handler, src/orchestration/event-handlers.ts).
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { evaluateMetricAnomaly } from "../gates/dfe.ts";

const anomalyPayload = z.object({ anomaly_id: z.string().uuid() });

/** metric_anomaly_evaluate: the DFE's verdict on an anomalous metric, recorded through eva.fn_resolve_metric_anomaly. */
export function metricAnomalyEvaluateTask(deps: { db: Database }): Task {
  return async (raw, helpers) => {
    const parsed = anomalyPayload.safeParse(raw);
    if (!parsed.success) {
      helpers.logger.error(`metric_anomaly_evaluate: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    await evaluateAnomaly(deps.db, parsed.data.anomaly_id);
  };
}

export async function evaluateAnomaly(db: Database, anomalyId: string): Promise<string | null> {
  const anomaly = await db.selectFrom("metric_anomalies").selectAll().where("id", "=", anomalyId).executeTakeFirst();
  if (!anomaly) return null;
  if (anomaly.resolution) return anomaly.resolution;
  const verdict = evaluateMetricAnomaly({
    metric: anomaly.metric_name,
    value: Number(anomaly.value),
    median: Number(anomaly.median),
    mad: Number(anomaly.mad),
    robustZ: anomaly.robust_z === null ? null : Number(anomaly.robust_z),
  });
  await sql`select id from eva.fn_resolve_metric_anomaly(${anomalyId}::uuid, ${verdict.resolution},
    ${JSON.stringify(verdict)}::jsonb)`.execute(db);
  return verdict.resolution;
}

/** The post-launch tasks, by graphile-worker task name (the digests are scheduler ticks: src/tasks/scheduler.ts). */
export function notificationTasks(deps: { db: Database }): Record<string, Task> {
  return {
    metric_anomaly_evaluate: metricAnomalyEvaluateTask({ db: deps.db }),
  };
}
