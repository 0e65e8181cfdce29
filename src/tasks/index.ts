// EVA's jobs in one place: the task list graphile-worker runs and the
// master scheduler's crontab (spec §4 Layer 1), parsed by graphile-worker
// (parseCrontab) and registered in graphile_worker._private_known_crontabs
// when a worker starts. Times are UTC.
//
// Each line's options: `fill` is graphile-worker's backfill period — after
// downtime, ticks missed within that period are queued when a worker starts
// again (older ones are skipped); `jobKey` (mode replace) makes a tick one
// job: backfilled ticks of one line collapse into a single queued job, and
// each tick's work is idempotent (it acts on what is due at the scheduler's
// time, eva.fn_scheduler_now()), so running it twice changes nothing more.

import { parseCrontab, type TaskList } from "graphile-worker";
import type { Database } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import type { ContentStepOutcome } from "../marketing/content-pipeline.ts";
import type { StageRunOutcome } from "../orchestration/stage-engine.ts";
import { eventBusTasks } from "./event-bus.ts";
import { type MarketingTaskName, marketingTasks } from "./marketing.ts";
import { type MarketingBanditTaskName, marketingBanditTasks } from "./marketing-bandits.ts";
import { marketingContentTasks } from "./marketing-content.ts";
import { type MarketingMediaTickName, marketingMediaTasks } from "./marketing-media.ts";
import { type MarketingPublishTickName, marketingPublishTasks } from "./marketing-publish.ts";
import { notificationTasks } from "./notifications.ts";
import { sagaStepTask } from "./saga-step.ts";
import { type SchedulerTaskName, schedulerTask, type TickResult } from "./scheduler.ts";
import { searchEmbedTasks } from "./search-embed.ts";
import { stageRunTask } from "./stage-run.ts";
import { stageZeroTasks } from "./stage-zero.ts";

/** The crontab's task names: the scheduler's ticks and the marketing manifest's jobs (spec §17.11). */
export type CrontabTaskName =
  | Exclude<SchedulerTaskName, "dlq_depth_check">
  | MarketingTaskName
  | MarketingPublishTickName
  | MarketingBanditTaskName
  | MarketingMediaTickName
  | "maintenance:dlq:alert";

/** The master scheduler's crontab: one line per tick (minute hour day month weekday task ?options). */
export const CRONTAB_LINES: Record<CrontabTaskName, string> = {
  // Scheduled stage work (the next ops cycle) that has come due becomes ready.
  scheduler_due_work: "* * * * * scheduler_due_work ?fill=1h&jobKey=scheduler_due_work&max=3",
  portfolio_health_scan: "0 */6 * * * portfolio_health_scan ?fill=6h&jobKey=portfolio_health_scan&max=3",
  nursery_review_check: "0 6 * * * nursery_review_check ?fill=1d&jobKey=nursery_review_check&max=3",
  knowledge_sync: "30 2 * * * knowledge_sync ?fill=1d&jobKey=knowledge_sync&max=3",
  notification_digest_daily: "0 8 * * * notification_digest_daily ?fill=1d&jobKey=notification_digest_daily&max=5",
  notification_digest_weekly: "0 8 * * 1 notification_digest_weekly ?fill=7d&jobKey=notification_digest_weekly&max=5",
  saga_timeout_sweep: "*/15 * * * * saga_timeout_sweep ?fill=1h&jobKey=saga_timeout_sweep&max=3",
  // The weekly DLQ depth check (P1 alert above 10) under the marketing manifest's name and time (17.11):
  // one check, eva_private.fn_scheduler_dlq_check, as the dlq_depth_check tick.
  "maintenance:dlq:alert": "0 4 * * 1 maintenance:dlq:alert ?fill=7d&jobKey=maintenance:dlq:alert&max=3",
  // Task contracts past their timeout fail as timeout; their work is retried or escalated.
  contract_timeout_sweep: "* * * * * contract_timeout_sweep ?fill=1h&jobKey=contract_timeout_sweep&max=3",
  // Stage runs waiting on an open circuit breaker go once it half-opens.
  circuit_release: "* * * * * circuit_release ?fill=1h&jobKey=circuit_release&max=3",
  // Worker sagas whose wait (the retirement notice period) has come due on the scheduler's clock run on.
  saga_wake: "* * * * * saga_wake ?fill=1h&jobKey=saga_wake&max=3",
  // Retention: next months' partitions created, partitions past retention archived and dropped.
  partition_maintenance: "45 3 * * * partition_maintenance ?fill=1d&jobKey=partition_maintenance&max=3",
  // Publishing (spec §17.11): SCHEDULE content's dispatches planned and released when due; rate-limit windows reset;
  // posted dispatches' platform metrics polled (deltas as marketing events); budgets checked, 80 % alerts.
  "content:schedule:check": "*/5 * * * * content:schedule:check ?fill=1h&jobKey=content:schedule:check&max=3",
  "publisher:rate-limit:reset":
    "*/15 * * * * publisher:rate-limit:reset ?fill=1h&jobKey=publisher:rate-limit:reset&max=3",
  "metrics:collect:all": "0 * * * * metrics:collect:all ?fill=3h&jobKey=metrics:collect:all&max=3",
  "budget:governor:check": "0 7 * * * budget:governor:check ?fill=1d&jobKey=budget:governor:check&max=3",
  // Marketing (17.11): queued event counts into the daily rollups (and the venture metrics); due drip emails sent.
  "rollup:materialize": "30 6 * * * rollup:materialize ?fill=1d&jobKey=rollup:materialize&max=3",
  "email:drip:send": "*/5 * * * * email:drip:send ?fill=1h&jobKey=email:drip:send&max=3",
  // The learning loop (17.5): closed rollup windows observed and channel budget shares moved hourly; Champion-Challenger
  // daily at 6:00; cross-venture priors Monday 2:00 and the 0.97 decay Monday 3:00; every arm's posterior kept daily.
  "optimizer:channel:rebalance":
    "0 * * * * optimizer:channel:rebalance ?fill=3h&jobKey=optimizer:channel:rebalance&max=3",
  "optimizer:variant:promote": "0 6 * * * optimizer:variant:promote ?fill=1d&jobKey=optimizer:variant:promote&max=3",
  "intelligence:transfer": "0 2 * * 1 intelligence:transfer ?fill=7d&jobKey=intelligence:transfer&max=3",
  "bandit:decay:apply": "0 3 * * 1 bandit:decay:apply ?fill=7d&jobKey=bandit:decay:apply&max=3",
  "bandit:snapshot": "55 23 * * * bandit:snapshot ?fill=1d&jobKey=bandit:snapshot&max=3",
  // Media (17.3): open generations whose media_generation job is gone are queued again.
  "media:generations:sweep": "*/5 * * * * media:generations:sweep ?fill=1h&jobKey=media:generations:sweep&max=3",
};

export const CRONTAB = Object.values(CRONTAB_LINES).join("\n");

export interface TaskDeps {
  /** Acts as eva_service. */
  db: Database;
  analyst: Analyst;
  adversary?: Analyst | undefined;
  onOutcome?: (outcome: StageRunOutcome) => void;
  onTick?: (name: string, result: TickResult) => void;
  onContentStep?: (outcome: ContentStepOutcome) => void;
}

/**
 * Every task a worker runs: the stage runs, the master scheduler's ticks
 * (src/tasks/scheduler.ts) and the notifications' delivery and anomaly jobs.
 */
export function taskList(deps: TaskDeps): TaskList {
  const tick = (name: SchedulerTaskName) => schedulerTask(name, deps.db, deps.onTick);
  return {
    stage_run: stageRunTask({
      db: deps.db,
      analyst: deps.analyst,
      adversary: deps.adversary,
      onOutcome: deps.onOutcome,
    }),
    scheduler_due_work: tick("scheduler_due_work"),
    portfolio_health_scan: tick("portfolio_health_scan"),
    nursery_review_check: tick("nursery_review_check"),
    knowledge_sync: tick("knowledge_sync"),
    notification_digest_daily: tick("notification_digest_daily"),
    notification_digest_weekly: tick("notification_digest_weekly"),
    saga_timeout_sweep: tick("saga_timeout_sweep"),
    // Jobs queued under the old name before the manifest's took it over still run.
    dlq_depth_check: tick("dlq_depth_check"),
    "maintenance:dlq:alert": tick("dlq_depth_check"),
    contract_timeout_sweep: tick("contract_timeout_sweep"),
    circuit_release: tick("circuit_release"),
    saga_wake: tick("saga_wake"),
    // One step of a worker-driven saga (src/orchestration/sagas).
    saga_step: sagaStepTask({ db: deps.db, analyst: deps.analyst }),
    partition_maintenance: tick("partition_maintenance"),
    // The anomaly judgement (src/tasks/notifications.ts).
    ...notificationTasks({ db: deps.db }),
    // Event subscriptions: the dispatcher and one delivery per subscription × event (src/tasks/event-bus.ts),
    // EVA's reactions among them (dependencies, re-ranking, the notification webhook, the retirement saga).
    ...eventBusTasks({ db: deps.db }),
    // The marketing content lifecycle: generation and brand review (src/tasks/marketing-content.ts).
    ...marketingContentTasks({ db: deps.db, analyst: deps.analyst, onContentStep: deps.onContentStep }),
    // Publishing: one job per dispatch and the manifest's four ticks (src/tasks/marketing-publish.ts).
    ...marketingPublishTasks({ db: deps.db }),
    // Marketing measurement: rollups and the email drip (src/tasks/marketing.ts).
    ...marketingTasks({ db: deps.db }),
    // The learning loop: allocation, Champion-Challenger, transfer, decay, snapshots (src/tasks/marketing-bandits.ts).
    ...marketingBanditTasks({ db: deps.db }),
    // Media: image and video generations, each polled by its own job at its next_poll_at (src/tasks/marketing-media.ts).
    ...marketingMediaTasks({ db: deps.db }),
    // Search by meaning: a search document's embedding, where pgvector is installed (src/tasks/search-embed.ts).
    ...searchEmbedTasks({ db: deps.db }),
    // Stage 0: a due nursery idea re-evaluated through the nursery_reeval strategy (src/tasks/stage-zero.ts).
    ...stageZeroTasks({ db: deps.db, analyst: deps.analyst }),
  };
}

/** The crontab parsed by graphile-worker (throws naming the line on a bad one). */
export function parsedCrontab() {
  return parseCrontab(CRONTAB);
}
