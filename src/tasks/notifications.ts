// Notification and post-launch jobs: glue between the outbox / anomaly rows
// (filled by SQL triggers) and their delivery or the DFE.
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { evaluateMetricAnomaly } from "../gates/dfe.ts";
import { deliverWebhook, type WebhookConfig, webhookConfigFromEnv, writeDigest } from "../notifications/outbox.ts";

const deliverPayload = z.object({ notification_id: z.string().uuid(), channel: z.literal("webhook") });

/** notification_deliver: one notification × channel (job_key); a failed delivery throws, so graphile-worker retries with backoff. */
export function notificationDeliverTask(deps: { db: Database; webhook: () => WebhookConfig }): Task {
  return async (raw, helpers) => {
    const parsed = deliverPayload.safeParse(raw);
    if (!parsed.success) {
      helpers.logger.error(`notification_deliver: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    const result = await deliverWebhook(deps.db, parsed.data.notification_id, deps.webhook());
    helpers.logger.info(`notification ${parsed.data.notification_id}: ${result}`);
  };
}

// A digest tick may carry the time it stands for (graphile-worker's crontab
// passes `_cron.ts`, a backfilled tick its own); else now.
const digestPayload = z
  .object({ asOf: z.string().datetime({ offset: true }).optional(), _cron: z.object({ ts: z.string() }).optional() })
  .passthrough();

/** notification_digest_daily / notification_digest_weekly: the digest of what waited, grouped by venture. */
export function notificationDigestTask(deps: { db: Database; urgency: "daily" | "weekly" }): Task {
  return async (raw, helpers) => {
    const parsed = digestPayload.safeParse(raw ?? {});
    const asOf = parsed.success ? (parsed.data.asOf ?? parsed.data._cron?.ts) : undefined;
    const id = await writeDigest(deps.db, deps.urgency, asOf ? new Date(asOf) : new Date());
    helpers.logger.info(id ? `${deps.urgency} digest ${id}` : `${deps.urgency} digest: nothing waited`);
  };
}

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

/** The notification and post-launch tasks, by graphile-worker task name. */
export function notificationTasks(deps: { db: Database; webhook?: () => WebhookConfig }): Record<string, Task> {
  const webhook = deps.webhook ?? (() => webhookConfigFromEnv());
  return {
    notification_deliver: notificationDeliverTask({ db: deps.db, webhook }),
    notification_digest_daily: notificationDigestTask({ db: deps.db, urgency: "daily" }),
    notification_digest_weekly: notificationDigestTask({ db: deps.db, urgency: "weekly" }),
    metric_anomaly_evaluate: metricAnomalyEvaluateTask({ db: deps.db }),
  };
}
