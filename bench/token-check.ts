// What the revocation list costs each API request: a Chairman token's check
// (graphql/preset.ts pgSettingsFor) without the database, beside the same with
// the revocation query (eva_private.fn_token_refused on a pg pool as the login
// role), with 10,000 revoked ids and a `revoke --all` instant in the list; the
// two alternate so drift hits both. A whole `{ isChairman }` request over HTTP
// is the scale they are read on.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { pgSettingsFor, revocationCheck } from "../graphql/preset.ts";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { issueToken } from "../src/auth/tokens.ts";
import type { BenchServer, Measurement } from "./lib.ts";
import { progress, summarize } from "./lib.ts";

const REVOKED = 10_000;
const WARMUP = 200;
const SAMPLES = 2000;

export async function tokenCheck(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("token_check");
  const pool = new pg.Pool({ connectionString: database.url, max: 2, application_name: "eva-bench-token" });
  const previousSecret = process.env.EVA_JWT_SECRET;
  process.env.EVA_JWT_SECRET = randomBytes(36).toString("base64url");
  const secret = new TextEncoder().encode(process.env.EVA_JWT_SECRET);
  let api: ApiServer | undefined;
  try {
    await pool.query(
      `insert into eva_private.revoked_tokens (jti, revoked_by) select gen_random_uuid(), 'bench' from generate_series(1, $1)`,
      [REVOKED],
    );
    await pool.query(
      "insert into eva_private.token_epoch (not_before, set_by) values (date_trunc('second', now()) - interval '1 hour', 'bench')",
    );
    await pool.query("vacuum (analyze) eva_private.revoked_tokens");
    const { token } = await issueToken("chairman", 3600, { secret });
    const authorization = `Bearer ${token}`;
    const revoked = revocationCheck(pool);
    const plain = async () => pgSettingsFor(authorization, secret);
    const checked = async () => pgSettingsFor(authorization, secret, { revoked });
    if ((await checked())["jwt.claims.jti"] === undefined) throw new Error("the token was not accepted");

    const plainMs: number[] = [];
    const checkedMs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      signal.throwIfAborted();
      let t0 = performance.now();
      await plain();
      const a = performance.now() - t0;
      t0 = performance.now();
      await checked();
      const b = performance.now() - t0;
      if (i >= WARMUP) {
        plainMs.push(a);
        checkedMs.push(b);
      }
    }

    api = await startApiServer({ url: database.url, port: 0, secret });
    const body = JSON.stringify({ query: "{ isChairman }" });
    const requestMs: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES / 4; i++) {
      signal.throwIfAborted();
      const t0 = performance.now();
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body,
        signal,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`{ isChairman } failed (HTTP ${response.status}): ${text.slice(0, 300)}`);
      if (i >= WARMUP) requestMs.push(performance.now() - t0);
    }
    progress(`token checks: ${SAMPLES} each; requests: ${requestMs.length}`);
    const p = summarize(plainMs);
    const c = summarize(checkedMs);
    const r = summarize(requestMs);
    return [
      {
        id: "token.verify_p50",
        label: "token check, signature and claims only, p50",
        value: p.p50,
        unit: "ms",
        note: `n=${p.n}; HS256, in process`,
      },
      {
        id: "token.revocation_p50",
        label: "token check with the revocation query, p50",
        value: c.p50,
        unit: "ms",
        vs: "token.verify_p50",
        note: `n=${c.n}, p95 ${c.p95.toFixed(3)} ms; ${REVOKED} revoked ids in the list, prepared statement`,
      },
      {
        id: "token.request_p50",
        label: "whole { isChairman } request over HTTP, p50",
        value: r.p50,
        unit: "ms",
        vs: "token.revocation_p50",
        note: `n=${r.n}, p95 ${r.p95.toFixed(2)} ms; keep-alive; includes the revocation query`,
      },
    ];
  } finally {
    await api?.close().catch(() => {});
    if (previousSecret === undefined) delete process.env.EVA_JWT_SECRET;
    else process.env.EVA_JWT_SECRET = previousSecret;
    await pool.end();
    await database.drop();
  }
}
