// A worker SIGKILLed in the middle of a post (the Mastodon-speaking server has
// accepted the status and never answers), then a new worker: the dispatch's
// next attempt finds its earlier attempt dead, reads the platform back for
// the post's marker and records it. Exactly one post reaches the server.
// Real worker processes (`eva worker`), a real HTTP server, real PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { composePost } from "../src/marketing/dispatch.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { attemptsOf, dispatchOf, launchDistribution, scheduledContent } from "./helpers/marketing-dispatch.ts";
import { until } from "./helpers/sagas.ts";
import { startMastodonServer } from "./helpers/social-servers.ts";

const t = await createTestDatabase();
const mastodon = await startMastodonServer("crash-token");
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && !c.signalCode) c.kill("SIGKILL");
  await mastodon.close();
  await t.drop();
});

function startWorkerProcess(): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: t.url,
    EVA_WORKER_STALE_MS: "1000",
    EVA_MASTODON_URL: mastodon.url,
    EVA_MASTODON_TOKEN: "crash-token",
    EVA_PUBLISH_TIMEOUT_MS: "120000",
  };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  const child = spawn(process.execPath, ["bin/eva.js", "worker", "--concurrency", "2"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

it("a worker SIGKILLed mid-post: the next worker reconciles instead of posting again — one post at the server", async () => {
  await sql`update eva_private.settings set value = '1' where key = 'marketing.sending_stale_seconds'`.execute(t.db);
  const v = await createVenture(t.db);
  await launchDistribution(t.db, v.id, "full");
  const { variantIds } = await scheduledContent(t.db, v.id, [
    { platform: "mastodon", text: "Month-end close, without the month.", linkUrl: "https://ledgerloop.example/close" },
  ]);
  const variantId = variantIds[0] as string;
  const id = randomUUID();
  const { text, link } = await composePost(t.service, variantId, "mastodon", id);
  expect(link).toBe(
    `https://ledgerloop.example/close?utm_source=mastodon&utm_medium=social&utm_campaign=${v.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")}&utm_content=${variantId}&utm_id=${id}`,
  );
  // Queued as the Chairman's `eva marketing publish` queues it, for a worker to run.
  await sql`select marketing.fn_publish_now(${id}::uuid, ${variantId}::uuid, 'mastodon', ${text}, ${link})`.execute(
    t.service,
  );
  mastodon.next.push("hang");

  const doomed = startWorkerProcess();
  await until("the worker to be inside the post", async () => (mastodon.posts.length === 1 ? true : undefined), 60_000);
  expect((await dispatchOf(t.db, id)).status).toBe("sending");
  doomed.kill("SIGKILL");
  await until("the worker to die", async () => (doomed.exitCode !== null || doomed.signalCode ? true : undefined));
  expect(await attemptsOf(t.db, id)).toEqual([
    { attempt: 1, action: "publish", mode: "live", outcome: null, error_class: null, http_status: null },
  ]);

  const restarted = startWorkerProcess();
  const done = await until(
    "the dispatch to be posted after the restart",
    async () => {
      const d = await dispatchOf(t.db, id);
      return d.status === "posted" ? d : undefined;
    },
    60_000,
  );
  restarted.kill("SIGTERM");

  expect(mastodon.posts).toHaveLength(1);
  expect(mastodon.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/statuses")).toHaveLength(1);
  expect(done.platform_post_id).toBe(mastodon.posts[0]?.id);
  expect(mastodon.posts[0]?.text).toContain(`utm_id=${id}`);
  expect(await attemptsOf(t.db, id)).toEqual([
    { attempt: 1, action: "publish", mode: "live", outcome: "crashed", error_class: null, http_status: null },
    { attempt: 2, action: "reconcile", mode: "live", outcome: "reconciled", error_class: null, http_status: null },
  ]);
  const posted = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
    where venture_id = ${v.id}::uuid and event_type = 'marketing.dispatch_posted'`.execute(t.db);
  expect(posted.rows[0]?.n).toBe(1);
}, 180_000);
