// Inbound marketing webhooks on EVA's HTTP server, POST /webhooks/<source>:
// Resend's svix signatures and PostHog's Standard Webhooks ones checked on
// the raw body (forged or stale: 401, nothing stored), a re-delivery stored
// once, an unknown source 404, a body past the limit 413; what the events
// become (attribution, suppression of a bounced address).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { Webhook } from "svix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { webhookHeaders } from "../src/notifications/signature.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "marketing-webhooks-test-secret-0123456789-abcdef";
const RESEND_SECRET = `whsec_${Buffer.from("resend-test-secret-bytes-0123456").toString("base64")}`;
const POSTHOG_SECRET = `whsec_${Buffer.from("posthog-test-secret-bytes-012345").toString("base64")}`;
const OTHER_SECRET = `whsec_${Buffer.from("not-the-configured-secret-at-all").toString("base64")}`;
const env = {
  ...process.env,
  EVA_WEBHOOK_SECRET_RESEND: RESEND_SECRET,
  EVA_WEBHOOK_SECRET_POSTHOG: POSTHOG_SECRET,
  EVA_WEBHOOK_SECRET_SHOP: POSTHOG_SECRET,
};

const t = await createTestDatabase();
let api: ApiServer;
let base: string;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0, webhooks: { env, maxBytes: 64 * 1024 } });
  base = api.url.replace(/\/graphql$/, "");
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const count = async (table: string, ventureId?: string) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from ${sql.table(`marketing.${table}`)}
        ${ventureId ? sql`where venture_id = ${ventureId}::uuid` : sql``}`.execute(t.db)
    ).rows[0]?.n,
  );

function resendSigned(body: string, options: { id?: string; at?: Date; secret?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  return {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(options.secret ?? RESEND_SECRET).sign(id, at, body),
  };
}
function standardSigned(body: string, options: { id?: string; at?: Date; secret?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = Math.floor((options.at ?? new Date()).getTime() / 1000);
  return { "content-type": "application/json", ...webhookHeaders(options.secret ?? POSTHOG_SECRET, id, at, body) };
}
const post = (source: string, body: string, headers: Record<string, string>, query = "") =>
  fetch(`${base}/webhooks/${source}${query}`, { method: "POST", body, headers });

function resendClick(ventureId: string, variantId: string) {
  return JSON.stringify({
    type: "email.clicked",
    created_at: new Date(Date.now() - 60_000).toISOString(),
    data: {
      email_id: randomUUID(),
      to: ["Reader@Example.com"],
      subject: "Welcome",
      tags: { venture_id: ventureId, campaign_id: randomUUID(), step: "1" },
      click: {
        link: `https://example.com/pricing?utm_source=email&utm_medium=email&utm_campaign=v&utm_content=${variantId}&utm_id=${randomUUID()}`,
        userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15",
        timestamp: new Date().toISOString(),
      },
    },
  });
}

describe("POST /webhooks/resend (svix)", () => {
  it("a forged signature is 401 and stores nothing; a stale one too; a genuine one once, however often delivered", async () => {
    const v = await createVenture(t.db);
    const variant = randomUUID();
    const body = resendClick(v.id, variant);

    const forged = await post("resend", body, resendSigned(body, { secret: OTHER_SECRET }));
    expect(forged.status).toBe(401);
    // A body changed after signing is a forgery too (the raw bytes are what is signed).
    const signed = resendSigned(body);
    const tampered = await post("resend", body.replace("Welcome", "Welcome!"), signed);
    expect(tampered.status).toBe(401);
    const stale = await post("resend", body, resendSigned(body, { at: new Date(Date.now() - 10 * 60_000) }));
    expect(stale.status).toBe(401);
    const unsigned = await post("resend", body, { "content-type": "application/json" });
    expect(unsigned.status).toBe(401);
    expect(await count("marketing_events", v.id)).toBe(0);
    expect(await count("marketing_webhook_receipts")).toBe(0);

    const headers = resendSigned(body);
    const first = await post("resend", body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ received: true, duplicate: false, stored: 1 });
    // Resend retries a delivery with the same svix-id (and a fresh signature): stored once.
    const again = await post("resend", body, resendSigned(body, { id: headers["svix-id"] }));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, stored: 0 });
    expect(await count("marketing_events", v.id)).toBe(1);

    const { rows } = await sql<{ event_type: string; platform: string; variant_id: string; email: string }>`
      select event_type, platform, variant_id, properties ->> 'email' as email from marketing.marketing_events
      where venture_id = ${v.id}::uuid`.execute(t.db);
    // The click's link carried the variant in utm_content: attributed to it.
    expect(rows).toEqual([
      { event_type: "click", platform: "email", variant_id: variant, email: "reader@example.com" },
    ]);
  });

  it("a bounce suppresses the address for the venture", async () => {
    const v = await createVenture(t.db);
    const body = JSON.stringify({
      type: "email.bounced",
      created_at: new Date().toISOString(),
      data: {
        email_id: randomUUID(),
        to: ["gone@example.com"],
        tags: [{ name: "venture_id", value: v.id }],
        bounce: { type: "Permanent", message: "mailbox does not exist" },
      },
    });
    expect((await post("resend", body, resendSigned(body))).status).toBe(200);
    const { rows } = await sql<{ email: string; reason: string }>`
      select email, reason from marketing.marketing_email_suppressions where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(rows).toEqual([{ email: "gone@example.com", reason: "bounce" }]);
  });

  it("an event naming no venture is 422 and leaves no receipt (Resend retries it)", async () => {
    const body = JSON.stringify({
      type: "email.opened",
      created_at: new Date().toISOString(),
      data: { email_id: "x", to: ["a@b.c"] },
    });
    const before = await count("marketing_webhook_receipts");
    const res = await post("resend", body, resendSigned(body));
    expect(res.status).toBe(422);
    expect(await count("marketing_webhook_receipts")).toBe(before);
  });
});

describe("POST /webhooks/posthog (Standard Webhooks)", () => {
  it("refuses forged and stale signatures; a conversion is attributed from its page's UTM parameters and stored once", async () => {
    const v = await createVenture(t.db);
    const variant = randomUUID();
    const uuid = randomUUID();
    const body = JSON.stringify({
      event: {
        uuid,
        event: "signup",
        distinct_id: "visitor-9",
        timestamp: new Date(Date.now() - 30_000).toISOString(),
        properties: {
          $current_url: `https://venture.example/welcome?utm_source=Mastodon&utm_medium=social&utm_content=${variant}`,
          revenue: 19.5,
        },
      },
    });
    expect(
      (await post("posthog", body, standardSigned(body, { secret: OTHER_SECRET }), `?venture=${v.id}`)).status,
    ).toBe(401);
    expect(
      (await post("posthog", body, standardSigned(body, { at: new Date(Date.now() - 6 * 60_000) }), `?venture=${v.id}`))
        .status,
    ).toBe(401);
    expect(await count("marketing_events", v.id)).toBe(0);

    const headers = standardSigned(body);
    const res = await post("posthog", body, headers, `?venture=${v.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ duplicate: false, stored: 1 });
    // The same event under a new delivery id (PostHog has few retries; a replay tool might): its uuid dedupes it.
    const replay = await post("posthog", body, standardSigned(body), `?venture=${v.id}`);
    expect(await replay.json()).toMatchObject({ duplicate: false, stored: 0 });
    const { rows } = await sql<{
      event_type: string;
      platform: string;
      variant_id: string;
      revenue_cents: string;
      external_id: string;
    }>`
      select event_type, platform, variant_id, revenue_cents::text, external_id from marketing.marketing_events
      where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(rows).toEqual([
      { event_type: "conversion", platform: "mastodon", variant_id: variant, revenue_cents: "1950", external_id: uuid },
    ]);
  });

  it("events that are neither conversions nor tagged visits store nothing", async () => {
    const v = await createVenture(t.db);
    const body = JSON.stringify({
      event: { uuid: randomUUID(), event: "$autocapture", properties: { venture_id: v.id } },
    });
    const res = await post("posthog", body, standardSigned(body));
    expect(await res.json()).toMatchObject({ stored: 0 });
  });
});

describe("the endpoint", () => {
  it("an unknown source (no secret configured) is 404; a GET 405; a body past the limit 413", async () => {
    const body = "{}";
    expect((await post("stripe", body, standardSigned(body))).status).toBe(404);
    expect((await fetch(`${base}/webhooks/posthog`)).status).toBe(405);
    const big = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    expect((await post("posthog", big, standardSigned(big))).status).toBe(413);
  });

  it("another source with its own secret sends EVA's event rows (source forced to the endpoint's)", async () => {
    const v = await createVenture(t.db);
    const body = JSON.stringify({
      events: [
        {
          venture_id: v.id,
          source: "resend",
          event_type: "conversion",
          occurred_at: new Date().toISOString(),
          external_id: "order-1",
          revenue_cents: 2500,
        },
      ],
    });
    const res = await post("shop", body, standardSigned(body));
    expect(await res.json()).toMatchObject({ stored: 1 });
    const { rows } = await sql<{
      source: string;
    }>`select source from marketing.marketing_events where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(rows).toEqual([{ source: "shop" }]);
    // A refused row is named, and nothing is stored.
    const bad = JSON.stringify({
      events: [{ venture_id: v.id, event_type: "sale", occurred_at: new Date().toISOString() }],
    });
    const refused = await post("shop", bad, standardSigned(bad));
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: string }).error).toContain("row 1: event_type must be");
  });
});

describe("GraphQL", () => {
  it("the Chairman and viewers read rollups under RLS; viewers do not read subscribers' addresses", async () => {
    const v = await createVenture(t.db);
    const body = resendClick(v.id, randomUUID());
    expect((await post("resend", body, resendSigned(body))).status).toBe(200);
    await sql`select marketing.fn_materialize_rollups()`.execute(t.service);
    await sql`select marketing.fn_email_add_domain(${v.id}::uuid, 'gql.example.com')`.execute(t.db);
    await sql`select marketing.fn_email_subscribe(marketing.fn_email_create_campaign(${v.id}::uuid, ${JSON.stringify({
      name: "GraphQL",
      campaignType: "welcome",
      from: "hi@gql.example.com",
      steps: [{ subject: "Hi", text: "Hi." }],
    })}::jsonb), 'reader@gql.example.com')`.execute(t.db);
    const ask = async (role: "chairman" | "viewer", query: string) => {
      const token = await mintToken(role, 600, new TextEncoder().encode(process.env.EVA_JWT_SECRET));
      const res = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as {
        data?: Record<string, { nodes: Record<string, unknown>[] } | null>;
        errors?: unknown[];
      };
    };
    const rollups = `{ allMarketingDailyRollups(condition: { ventureId: "${v.id}" }) { nodes { platform clicks ctr } } }`;
    for (const role of ["chairman", "viewer"] as const) {
      const r = await ask(role, rollups);
      expect(r.errors, role).toBeUndefined();
      expect(r.data?.allMarketingDailyRollups?.nodes, role).toEqual([{ platform: "email", clicks: "1", ctr: "0" }]);
    }
    const subscribers = `{ allMarketingEmailSubscribers(condition: { ventureId: "${v.id}" }) { nodes { email } } }`;
    expect((await ask("chairman", subscribers)).data?.allMarketingEmailSubscribers?.nodes).toEqual([
      { email: "reader@gql.example.com" },
    ]);
    const asViewer = await ask("viewer", subscribers);
    expect(asViewer.data?.allMarketingEmailSubscribers?.nodes ?? []).toEqual([]);
  });
});
