// Marketing measurement (issue 12): event ingest and daily rollups, each beside
// its raw PostgreSQL floor on the same partitioned table.
//  - ingest: events/s through POST /webhooks/<source> (signed, one event per
//    delivery, 8 concurrent, through EVA's HTTP server and
//    marketing.fn_receive_webhook), through marketing.fn_ingest_events in
//    batches of 5,000 (checks, dedupe, bots, attribution, the rollup queue),
//    beside a raw COPY of rows into marketing.marketing_events.
//  - rollups: N events (EVA_BENCH_MARKETING_EVENTS, default 10,000,000) over
//    10 days loaded server-side; the full rollup of those days
//    (marketing.fn_rebuild_rollups) beside a plain aggregate scan of the same
//    events (the same GROUP BY, nothing written, both serial; aim: ≥ 50 % of its rate); then
//    1 % new events ingested and rollup:materialize timed beside the full
//    rollup (proportional to the new events: ≈ 1 % of its time, or less).
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sql } from "kysely";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { startApiServer } from "../graphql/server.ts";
import { connect, withRole } from "../src/db/client.ts";
import { webhookHeaders } from "../src/notifications/signature.ts";
import type { BenchServer, Measurement } from "./lib.ts";
import { progress } from "./lib.ts";

const COPY_EVENTS = 200_000;
const BATCH_EVENTS = 100_000;
const BATCH = 5_000;
const WEBHOOK_EVENTS = 2_000;
const WEBHOOK_CONCURRENCY = 8;
const DAYS = 10;
const SECRET = `whsec_${Buffer.from("bench-webhook-secret-0123456789ab").toString("base64")}`;

const now = () => performance.now();

async function ventures(url: string, n: number): Promise<string[]> {
  const c = connect(url, { max: 1 });
  try {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { rows } = await withRole(c.db, "eva_chairman", (trx) =>
        sql<{ id: string }>`select id from eva.fn_create_venture(${`Bench venture ${i} ${randomUUID().slice(0, 6)}`},
          'An invoice reconciliation assistant for small accounting firms that drown in paperwork.',
          'Small firms lose hours every week matching invoices to payments.',
          'Matches every invoice to its payment automatically, with an audit trail.',
          'Accounting firms with 2-20 staff in the EU', 'saas'::eva.venture_archetype, array['a'], array['b'])`.execute(
          trx,
        ),
      );
      ids.push(rows[0]?.id as string);
    }
    return ids;
  } finally {
    await c.close();
  }
}

const TYPES = [
  "impression",
  "impression",
  "impression",
  "impression",
  "impression",
  "engagement",
  "click",
  "conversion",
];
const PLATFORMS = ["bluesky", "mastodon", "x", "email"];

function syntheticEvent(ventureIds: string[], variants: string[], i: number, tag: string) {
  const day = new Date(Date.now() - (1 + (i % DAYS)) * 86_400_000);
  day.setUTCHours(i % 24, i % 60, 0, 0);
  return {
    venture_id: ventureIds[i % ventureIds.length] as string,
    source: PLATFORMS[i % PLATFORMS.length] as string,
    platform: PLATFORMS[i % PLATFORMS.length] as string,
    event_type: TYPES[i % TYPES.length] as string,
    quantity: 1,
    occurred_at: day.toISOString(),
    variant_id: variants[i % variants.length] as string,
    external_id: `${tag}:${i}`,
    properties: { distinct_id: `visitor-${i % 5000}` },
  };
}

export async function marketingIngest(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const rows: Measurement[] = [];
  rows.push(...(await ingestRates(server, signal)));
  signal.throwIfAborted();
  rows.push(...(await rollupRates(server, signal)));
  return rows;
}

async function ingestRates(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("marketing_ingest");
  const service = connect(database.url, { max: 4, role: "eva_service", applicationName: "eva-bench" });
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  const env = { ...process.env, EVA_WEBHOOK_SECRET_BENCH: SECRET };
  const api = await startApiServer({ url: database.url, port: 0, webhooks: { env } });
  try {
    const ids = await ventures(database.url, 4);
    const variants = Array.from({ length: 40 }, () => randomUUID());

    progress(`marketing ingest: raw COPY of ${COPY_EVENTS} events`);
    const lines = function* () {
      for (let i = 0; i < COPY_EVENTS; i++) {
        const e = syntheticEvent(ids, variants, i, "copy");
        yield `${e.venture_id}\t${e.source}\t${e.platform}\t${e.event_type}\t1\t${e.occurred_at}\t\\N\t${e.variant_id}\t${e.external_id}\t${JSON.stringify(e.properties)}\t0\tf\n`;
      }
    };
    let t0 = now();
    await pipeline(
      Readable.from(lines()),
      owner.query(
        copyFrom(`copy marketing.marketing_events (venture_id, source, platform, event_type, quantity, occurred_at,
          content_id, variant_id, external_id, properties, revenue_cents, bot) from stdin`),
      ),
    );
    const copySeconds = (now() - t0) / 1000;
    signal.throwIfAborted();

    progress(`marketing ingest: ${BATCH_EVENTS} events through fn_ingest_events in batches of ${BATCH}`);
    t0 = now();
    for (let start = 0; start < BATCH_EVENTS; start += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => syntheticEvent(ids, variants, start + k, "batch"));
      await sql`select marketing.fn_ingest_events(${JSON.stringify(batch)}::jsonb)`.execute(service.db);
      signal.throwIfAborted();
    }
    const batchSeconds = (now() - t0) / 1000;

    progress(`marketing ingest: ${WEBHOOK_EVENTS} signed webhook deliveries, ${WEBHOOK_CONCURRENCY} at a time`);
    const endpoint = `${api.url.replace(/\/graphql$/, "")}/webhooks/bench`;
    let next = 0;
    let failed = 0;
    t0 = now();
    await Promise.all(
      Array.from({ length: WEBHOOK_CONCURRENCY }, async () => {
        for (let i = next++; i < WEBHOOK_EVENTS; i = next++) {
          const body = JSON.stringify(syntheticEvent(ids, variants, i, "hook"));
          const headers = webhookHeaders(SECRET, `msg_${i}_${randomUUID()}`, Math.floor(Date.now() / 1000), body);
          const res = await fetch(endpoint, {
            method: "POST",
            body,
            headers: { ...headers, "content-type": "application/json" },
          });
          if (res.status !== 200) failed += 1;
          await res.arrayBuffer();
        }
      }),
    );
    const webhookSeconds = (now() - t0) / 1000;
    if (failed) throw new Error(`${failed} webhook deliveries were not accepted`);
    const { rows: counted } = await owner.query<{ n: string }>("select count(*) as n from marketing.marketing_events");
    const expected = COPY_EVENTS + BATCH_EVENTS + WEBHOOK_EVENTS;
    if (Number(counted[0]?.n) !== expected)
      throw new Error(`expected ${expected} events stored, found ${counted[0]?.n}`);

    return [
      {
        id: "marketing.ingest.copy_per_s",
        label: "marketing_events: raw COPY (no checks, no rollup queue)",
        value: COPY_EVENTS / copySeconds,
        unit: "events/s",
      },
      {
        id: "marketing.ingest.batch_per_s",
        label: `fn_ingest_events, batches of ${BATCH}`,
        value: BATCH_EVENTS / batchSeconds,
        unit: "events/s",
        vs: "marketing.ingest.copy_per_s",
      },
      {
        id: "marketing.ingest.webhook_per_s",
        label: `POST /webhooks/<source>, 1 event each, ${WEBHOOK_CONCURRENCY} concurrent`,
        value: WEBHOOK_EVENTS / webhookSeconds,
        unit: "events/s",
        vs: "marketing.ingest.copy_per_s",
      },
    ];
  } finally {
    await api.close();
    await owner.end();
    await service.close();
    await database.drop();
  }
}

async function rollupRates(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const total = Number(process.env.EVA_BENCH_MARKETING_EVENTS ?? 10_000_000);
  if (!Number.isInteger(total) || total < 10_000)
    throw new Error("EVA_BENCH_MARKETING_EVENTS must be a whole number ≥ 10000");
  const database = await server.freshDatabase("marketing_rollup");
  const service = connect(database.url, { max: 2, role: "eva_service", applicationName: "eva-bench" });
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  try {
    const ids = await ventures(database.url, 4);
    const first = new Date(Date.now() - DAYS * 86_400_000).toISOString().slice(0, 10);
    const last = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    progress(`marketing rollup: loading ${total} events over ${DAYS} days (server-side)`);
    const chunk = 1_000_000;
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      await owner.query(
        `insert into marketing.marketing_events (venture_id, source, platform, event_type, quantity, occurred_at, content_id,
           variant_id, external_id, properties, revenue_cents, bot)
         select ($3::uuid[])[1 + g % 4], p, p, (array['impression','impression','impression','impression','impression','engagement','click','conversion'])[1 + g % 8],
           1, timestamptz '${first} 00:00:00+00' + ((g % ${DAYS}) || ' days')::interval + ((g % 86400) || ' seconds')::interval,
           null, ('00000000-0000-4000-8000-' || lpad((g % 160)::text, 12, '0'))::uuid, 'load:' || g, '{}'::jsonb,
           case when g % 8 = 7 then 4900 else 0 end, g % 97 = 0
         from generate_series($1::bigint, $2::bigint) g,
           lateral (select (array['bluesky','mastodon','x','email'])[1 + (g / 7) % 4] as p) pl`,
        [start, start + n - 1, ids],
      );
      progress(`marketing rollup: ${start + n} loaded`);
      signal.throwIfAborted();
    }
    await owner.query("analyze marketing.marketing_events");

    const scanQuery = `select count(*) from (
      select timezone('UTC', e.occurred_at)::date, e.venture_id, coalesce(e.platform, 'unknown'), e.content_id, e.variant_id,
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'impression'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'engagement'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'click'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'conversion'), 0),
        coalesce(sum(e.revenue_cents) filter (where not e.bot and e.event_type = 'conversion'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'open'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'delivered'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'unsubscribe'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'bounce'), 0),
        coalesce(sum(e.quantity) filter (where not e.bot and e.event_type = 'complaint'), 0),
        coalesce(sum(e.quantity) filter (where e.bot), 0)
      from marketing.marketing_events e
      where e.occurred_at >= timestamptz '${first} 00:00:00+00' and e.occurred_at < timestamptz '${last} 00:00:00+00' + interval '1 day'
      group by 1, 2, 3, 4, 5) x`;
    // Both serial: the rollup runs inside a function whose statement writes (no parallel plan there), and
    // on 2 shared cores a parallel scan was measured slower than a serial one anyway; like for like.
    await owner.query("set max_parallel_workers_per_gather = 0");
    // Warm the cache once, then the scan and the rollup each read the same pages.
    await owner.query(scanQuery);
    progress("marketing rollup: plain aggregate scan");
    let t0 = now();
    await owner.query(scanQuery);
    const scanSeconds = (now() - t0) / 1000;
    signal.throwIfAborted();

    progress("marketing rollup: full rollup of the days (fn_rebuild_rollups)");
    t0 = now();
    const { rows: built } = await service.db.connection().execute(async (c) => {
      await sql`set max_parallel_workers_per_gather = 0`.execute(c);
      return sql<{ r: { rowsChanged: number } }>`
        select marketing.fn_rebuild_rollups(${first}::date, ${last}::date) as r`.execute(c);
    });
    const fullSeconds = (now() - t0) / 1000;
    signal.throwIfAborted();

    const added = Math.max(1, Math.round(total / 100));
    progress(`marketing rollup: ${added} new events (1 %) through fn_ingest_events`);
    const variants = Array.from({ length: 160 }, (_, k) => `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`);
    for (let start = 0; start < added; start += BATCH) {
      const n = Math.min(BATCH, added - start);
      const batch = Array.from({ length: n }, (_, k) => syntheticEvent(ids, variants, start + k, "late"));
      await sql`select marketing.fn_ingest_events(${JSON.stringify(batch)}::jsonb)`.execute(service.db);
      signal.throwIfAborted();
    }
    progress("marketing rollup: incremental rollup (rollup:materialize)");
    t0 = now();
    const { rows: incremental } = await sql<{ r: { deltas: number; rows: number } }>`
      select marketing.fn_materialize_rollups() as r`.execute(service.db);
    const incrementalSeconds = (now() - t0) / 1000;
    // The incremental result must be what a rebuild from the events says.
    const { rows: check } = await sql<{ r: { rowsChanged: number; rowsRemoved: number } }>`
      select marketing.fn_rebuild_rollups(${first}::date, ${last}::date) as r`.execute(service.db);
    if (check[0]?.r.rowsChanged || check[0]?.r.rowsRemoved)
      throw new Error(`the incremental rollup differs from a rebuild: ${JSON.stringify(check[0]?.r)}`);

    const label = total.toLocaleString("en");
    return [
      {
        id: "marketing.rollup.scan_per_s",
        label: `plain aggregate scan of ${label} events (same GROUP BY, nothing written, serial)`,
        value: total / scanSeconds,
        unit: "events/s",
      },
      {
        id: "marketing.rollup.full_per_s",
        label: `full daily rollup of ${label} events over ${DAYS} days (${built[0]?.r.rowsChanged} rows written, serial)`,
        value: total / fullSeconds,
        unit: "events/s",
        vs: "marketing.rollup.scan_per_s",
      },
      {
        id: "marketing.rollup.full_s",
        label: `full daily rollup of ${label} events`,
        value: fullSeconds,
        unit: "s",
      },
      {
        id: "marketing.rollup.incremental_s",
        label: `rollup:materialize after ${added.toLocaleString("en")} new events (1 %; ${incremental[0]?.r.deltas} queued counts, ${incremental[0]?.r.rows} rows)`,
        value: incrementalSeconds,
        unit: "s",
        vs: "marketing.rollup.full_s",
        note: "≈ 0.01 or less: work proportional to the new events",
      },
    ];
  } finally {
    await owner.end();
    await service.close();
    await database.drop();
  }
}
