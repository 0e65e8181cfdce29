// The Chairman hears from EVA while it runs: a venture moves through worker
// jobs (offline analyst), and every decision it asks for reaches a local
// Standard Webhooks receiver, signed (checked here with node:crypto), before
// the Chairman decides it; the webhook's settings are read from the
// environment, as `eva worker` and `npm start` read them.
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { createDatabaseCache } from "../src/llm/cache.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startWebhookReceiver } from "./helpers/webhook-receiver.ts";

const t = await createTestDatabase();
const SECRET = `whsec_${Buffer.from("the chairman's webhook secret").toString("base64")}`;
const receiver = await startWebhookReceiver(SECRET);
const { deliveries } = receiver;
const valid = receiver.signedByEva;
afterAll(async () => {
  await receiver.close();
  await t.drop();
});

it("delivers each decision the venture asks for to the webhook, signed, before the Chairman decides", {
  timeout: 180_000,
}, async () => {
  const { brief } = await synthesizeBrief(createOfflineAnalyst(), {
    path: "competitor_teardown",
    urls: ["https://wonka.com"],
  });
  const review = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ lifecycle_stage: 0, decision_type: "venture_review", context: JSON.stringify({ brief }) })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  const worker = await startWorker({
    url: t.url,
    analyst: createOfflineAnalyst({ cache: createDatabaseCache(t.service) }),
    concurrency: 2,
  });
  const decided: string[] = [];
  try {
    let pendingId: string | undefined = review.id;
    let pendingType = "venture_review";
    for (let round = 0; round < 12 && pendingId; round++) {
      const id: string = pendingId;
      // Wait for the signed delivery of this decision (the notification-webhook subscription, in the worker).
      for (let i = 0; i < 600 && !deliveries.some((d) => d.body.decisionId === id); i++)
        await new Promise((r) => setTimeout(r, 100));
      const hit = deliveries.find((d) => d.body.decisionId === id);
      expect(hit, `no webhook delivery for the ${pendingType} decision`).toBeDefined();
      if (!hit) return;
      expect(valid(hit)).toBe(true);
      expect(hit.body).toMatchObject({ type: "decision.requested", urgency: "immediate", decisionId: id });
      const choice =
        pendingType === "release_decision" ? "release" : pendingType === "dfe_escalation" ? "proceed" : "approve";
      await withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_decide(${id}::uuid, ${choice})`.execute(trx));
      decided.push(pendingType);
      if (pendingType === "release_decision") break;
      // Engineering reports the sprint when Stage 19 waits; then the next decision.
      pendingId = undefined;
      for (let i = 0; i < 1200 && !pendingId; i++) {
        const items = await t.db
          .selectFrom("sd_work_items")
          .select("id")
          .where("kind", "=", "child")
          .where("status", "=", "pending")
          .execute();
        for (const item of items)
          await sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', 50, 0, 90)`.execute(t.service);
        const next = await t.db
          .selectFrom("chairman_decisions")
          .select(["id", "decision_type"])
          .where("status", "=", "pending")
          .executeTakeFirst();
        if (next) {
          pendingId = next.id;
          pendingType = next.decision_type;
        } else await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await worker.stop();
  }
  expect(decided.filter((d) => d !== "dfe_escalation")).toEqual([
    "venture_review",
    "brand_approval",
    "release_decision",
  ]);
  // Each decision was sent once (webhook-id = the notification's id), every signature valid.
  const ids = deliveries.map((d) => d.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(deliveries.every(valid)).toBe(true);
});
