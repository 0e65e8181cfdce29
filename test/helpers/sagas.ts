// Fixtures for the saga tests: ended ventures, an infrastructure inventory,
// an in-process worker running only what matters, and polling.
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { type Database, withRole } from "../../src/db/client.ts";
import { createOfflineAnalyst } from "../../src/llm/offline-analyst.ts";
import { startWorker, type WorkerHandle } from "../../src/worker.ts";
import { settleEventBus } from "./event-bus.ts";
import { advance, createVenture } from "./fixtures.ts";

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A venture killed by its Stage 3 kill gate, recorded as the stage engine records it. */
export async function killedAtStage3(
  db: Database,
  service: Database,
  before?: (venture: { id: string; name: string }) => Promise<void>,
  options: { settle?: boolean } = {},
): Promise<{ id: string; name: string }> {
  const v = await createVenture(db);
  await before?.(v);
  await advance(db, v.id, 1);
  await advance(db, v.id, 2);
  const work = await db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("lifecycle_stage", "=", 3)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(service);
  await sql`select eva.fn_record_stage_result(${work.id}::uuid, '[]'::jsonb,
    '{"decision": "kill", "rationale": "the market is too small"}'::jsonb, '[]'::jsonb,
    '{"action": "kill", "reason": "the market is too small: 40 firms, not 4,000"}'::jsonb)`.execute(service);
  // The retirement saga starts from the venture.killed event (the venture-retirement subscription): delivered
  // here unless a worker is to deliver it (settle false).
  if (options.settle ?? true) await settleEventBus({ db, service });
  return v;
}

/**
 * A venture sunset (no request role runs the state functions: the superuser stands in for EVA's own), and
 * its retirement saga started from the venture.sunset event.
 */
export async function sunset(db: Database, service: Database, ventureId: string): Promise<void> {
  await sql`select eva.fn_set_venture_status(${ventureId}::uuid, 'sunset', 'the Chairman sunset it: no traction')`.execute(
    db,
  );
  await settleEventBus({ db, service });
}

export interface ResourceSeed {
  kind: string;
  name: string;
  externalId: string;
  dependsOn?: string[];
  providerUrl?: string | null;
}

/** Resources in the venture's inventory, added as a service would. */
export async function addResources(db: Database, ventureId: string, resources: ResourceSeed[]): Promise<void> {
  await withRole(db, "eva_service", (trx) =>
    trx
      .insertInto("venture_infra_resources")
      .values(
        resources.map((r) => ({
          venture_id: ventureId,
          kind: r.kind,
          name: r.name,
          external_id: r.externalId,
          depends_on: r.dependsOn ?? [],
          provider: r.providerUrl ? "test-provider" : null,
          provider_url: r.providerUrl ?? null,
        })),
      )
      .execute(),
  );
}

/** The venture's retirement saga. */
export async function retirementOf(db: Database, ventureId: string) {
  return db
    .selectFrom("eva_sagas")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("saga_type", "=", "venture_retirement")
    .executeTakeFirstOrThrow();
}

export async function stepsOf(db: Database, sagaId: string) {
  const { rows } = await sql<{ step: string; status: string; attempts: number; result: Record<string, unknown> }>`
    select st.step, st.status, st.attempts, st.result from eva.eva_saga_steps st
    join eva.eva_sagas s on s.id = st.saga_id
    where st.saga_id = ${sagaId}::uuid order by array_position(s.steps, st.step)`.execute(db);
  return rows;
}

/** Stage runs are not these tests' subject: their queued jobs go before a worker starts. */
export async function dropStageRuns(db: Database): Promise<void> {
  await sql`select graphile_worker.remove_job(key) from graphile_worker.jobs
    where task_identifier = 'stage_run' and key is not null`.execute(db);
}

export async function sagaWorker(url: string, log?: (line: string) => void): Promise<WorkerHandle> {
  return startWorker({
    url,
    analyst: createOfflineAnalyst(),
    schedule: false,
    concurrency: 2,
    ...(log ? { log } : {}),
  });
}
