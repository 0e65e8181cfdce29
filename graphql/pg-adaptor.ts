// How PostGraphile reaches PostgreSQL for a request: @dataplan/pg's node-postgres
// adaptor, except that a request with settings (its role, claims and statement
// timeout) opens its transaction and applies them in one round trip
// (`begin; select set_config(…), …` as one simple-protocol message) instead of
// two (`begin`, then `select set_config(…) from json_array_elements($1)`).
// On a busy machine every round trip is a chance to wait for the scheduler, so
// the per-request overhead is what the queue's p95 feels (bench/dashboard.ts).
import type pg from "pg";
import {
  createWithPgClient as createDefaultWithPgClient,
  makeWithPgClientViaPgClientAlreadyInTransaction,
} from "postgraphile/adaptors/pg";

type WithPgClient = ReturnType<typeof createDefaultWithPgClient>;
type AdaptorSettings = Parameters<typeof createDefaultWithPgClient>[0];

const configured = Symbol("evaPgClientConfigured");

/** `begin` and one select of set_config(key, value, true) for every setting, as one statement list. */
export function beginWithSettings(client: Pick<pg.PoolClient, "escapeLiteral">, entries: [string, string][]): string {
  const calls = entries.map(
    ([key, value]) => `set_config(${client.escapeLiteral(key)}, ${client.escapeLiteral(value)}, true)`,
  );
  return `begin; select ${calls.join(", ")}`;
}

function withPgClientOn(pool: pg.Pool): WithPgClient {
  const withPgClient = (async (pgSettings, callback) => {
    const client = (await pool.connect()) as pg.PoolClient & { [configured]?: true };
    try {
      if (!client[configured]) {
        client[configured] = true;
        // As @dataplan/pg does: JIT's optimisation costs short queries more than it saves.
        await client.query("set jit_optimize_above_cost = -1");
      }
      const entries: [string, string][] = [];
      for (const [key, value] of Object.entries(pgSettings ?? {})) {
        if (value != null) entries.push([key, String(value)]);
      }
      if (entries.length === 0) {
        return await makeWithPgClientViaPgClientAlreadyInTransaction(client, false)(null, callback);
      }
      await client.query(beginWithSettings(client, entries));
      try {
        // Inside the transaction: the callback's own transactions become savepoints.
        const result = await makeWithPgClientViaPgClientAlreadyInTransaction(client, true)(null, callback);
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      }
    } finally {
      client.release();
    }
  }) as WithPgClient;
  withPgClient.release = () => {};
  return withPgClient;
}

/** The adaptor's createWithPgClient, with the one-round-trip transaction start for the service's own pool. */
export function createWithPgClient(settings: AdaptorSettings, variant?: string | null): WithPgClient {
  const pool = settings?.pool as pg.Pool | undefined;
  if (variant === "SUPERUSER" || !pool) return createDefaultWithPgClient(settings, variant);
  return withPgClientOn(pool);
}
