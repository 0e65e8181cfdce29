// Email drip campaigns (spec §17.4) against a local server speaking Resend's
// API: campaigns from the venture's sender domains, the SQL state machine
// (steps after their delay, conditions, completion), the unsubscribe link
// (List-Unsubscribe one-click and the page) and a Resend bounce webhook
// suppressing the address for every campaign of the venture — counted at the
// local Resend server: no further email. A send interrupted after the call
// is retried under the same Idempotency-Key; capture reaches a local PostHog.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { Webhook } from "svix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { type EmailClient, readUnsubscribeToken, resendClient, sendDueEmails } from "../src/marketing/email.ts";
import { posthogCapture } from "../src/marketing/posthog.ts";
import { utmLink, utmOf, ventureSlug } from "../src/marketing/utm.ts";
import { executeSagaStep } from "../src/orchestration/sagas/engine.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import {
  type LocalPostHog,
  type LocalResend,
  startLocalPostHog,
  startLocalResend,
} from "./helpers/marketing-servers.ts";
import { retirementOf, sunset } from "./helpers/sagas.ts";

process.env.EVA_JWT_SECRET = "marketing-email-test-secret-0123456789-abcdefgh";
const RESEND_SECRET = `whsec_${Buffer.from("resend-email-test-secret-0123456").toString("base64")}`;

const t = await createTestDatabase();
let api: ApiServer;
let resend: LocalResend;
let posthog: LocalPostHog;
let env: NodeJS.ProcessEnv;
let client: EmailClient;
beforeAll(async () => {
  resend = await startLocalResend("re_test_key");
  posthog = await startLocalPostHog();
  env = { ...process.env, EVA_WEBHOOK_SECRET_RESEND: RESEND_SECRET };
  api = await startApiServer({ url: t.url, port: 0, webhooks: { env } });
  env.EVA_PUBLIC_URL = api.url.replace(/\/graphql$/, "");
  env.RESEND_API_KEY = "re_test_key";
  env.EVA_RESEND_URL = resend.url;
  const made = resendClient(env);
  if (!made) throw new Error("no client");
  client = made;
});
afterAll(async () => {
  await api?.close();
  await resend?.close();
  await posthog?.close();
  await t.drop();
});

const asChairman = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_chairman", fn);
const advanceClock = (hours: number) =>
  asChairman((trx) => sql`select eva.fn_set_scheduler_clock(${`${hours} hours`}::interval)`.execute(trx));
const resetClock = () => asChairman((trx) => sql`select eva.fn_set_scheduler_clock(null, true)`.execute(trx));
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a refusal");
};

async function campaign(ventureId: string, steps: Record<string, unknown>[]) {
  await asChairman((trx) =>
    sql`select marketing.fn_email_add_domain(${ventureId}::uuid, 'Mail.Example.com')`.execute(trx),
  );
  const { rows } = await asChairman((trx) =>
    sql<{ id: string }>`select marketing.fn_email_create_campaign(${ventureId}::uuid, ${JSON.stringify({
      name: `Welcome ${randomUUID().slice(0, 8)}`,
      campaignType: "welcome",
      from: "hello@mail.example.com",
      fromName: "The Team",
      steps,
    })}::jsonb) as id`.execute(trx),
  );
  return rows[0]?.id as string;
}
const subscribe = (campaignId: string, email: string) =>
  asChairman((trx) => sql`select marketing.fn_email_subscribe(${campaignId}::uuid, ${email})`.execute(trx));
const sendNow = (options: { capture?: ReturnType<typeof posthogCapture>; client?: EmailClient } = {}) =>
  sendDueEmails(t.service, options.client ?? client, { env, capture: options.capture ?? null });
const sentTo = (email: string) => resend.sent.filter((r) => (r.body.to as string[] | string).toString() === email);

const THREE_STEPS = [
  { delayHours: 0, subject: "Welcome", text: "Hello and welcome." },
  { delayHours: 24, subject: "Day two", text: "Here is what to try next.", html: "<p>Here is what to try next.</p>" },
  { delayHours: 24, subject: "Day three", text: "One last tip." },
];

describe("drip campaigns", () => {
  it("a campaign needs a sender on one of the venture's domains; problems are named", async () => {
    const v = await createVenture(t.db);
    const error = await refusal(
      asChairman((trx) =>
        sql`select marketing.fn_email_create_campaign(${v.id}::uuid, ${JSON.stringify({
          name: "x",
          campaignType: "spam",
          from: "hello@elsewhere.example",
          steps: [{ subject: "" }],
        })}::jsonb)`.execute(trx),
      ),
    );
    expect(error.code).toBe("EV400");
    expect(error.message).toContain("campaignType must be welcome, onboarding, nurture or reactivation");
    expect(error.message).toContain("from hello@elsewhere.example is not on a sender domain of this venture (none yet");
    expect(error.message).toContain("step 1: subject is required");
  });

  it("sends each step after its delay; an unsubscribed and a bounced address get no further email", async () => {
    const v = await createVenture(t.db);
    const id = await campaign(v.id, THREE_STEPS);
    for (const email of ["stays@example.com", "leaves@example.com", "bounces@example.com"]) await subscribe(id, email);

    const capture = posthogCapture({ EVA_POSTHOG_KEY: "phc_test", EVA_POSTHOG_HOST: posthog.url });
    const first = await sendNow({ capture });
    await capture?.close();
    expect(first).toMatchObject({ claimed: 3, sent: 3 });
    expect(resend.sent).toHaveLength(3);
    const mail = sentTo("leaves@example.com")[0];
    expect(mail?.body).toMatchObject({ from: "The Team <hello@mail.example.com>", subject: "Welcome" });
    expect(mail?.headers["idempotency-key"]).toMatch(/^eva-email-[0-9a-f-]+-1$/);
    const headers = mail?.body.headers as Record<string, string>;
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = /^<(.+)>$/.exec(headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(mail?.body.text).toContain(`Unsubscribe: ${link}`);
    expect(mail?.body.tags).toContainEqual({ name: "venture_id", value: v.id });
    // PostHog saw the sends (posthog-node, against the local capture API).
    expect(posthog.events.filter((e) => e.event === "marketing_email_sent")).toHaveLength(3);

    // Nothing is due before the delay: a run sends nothing.
    expect(await sendNow()).toMatchObject({ claimed: 0 });

    // A mail scanner follows the link (GET): a page, no unsubscribe. The reader's one-click POST unsubscribes.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const tokenClaim = readUnsubscribeToken(new URL(link).searchParams.get("token") ?? "", env);
    expect(tokenClaim).toMatchObject({ ventureId: v.id, email: "leaves@example.com", campaignId: id });
    const forged = await fetch(link.replace(/token=[^.]+/, "token=eyJ4Ijoi"), { method: "POST" });
    expect(forged.status).toBe(400);
    const oneClick = await fetch(link, {
      method: "POST",
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(oneClick.status).toBe(200);

    // Resend reports a hard bounce through its webhook (svix-signed).
    const bounce = JSON.stringify({
      type: "email.bounced",
      created_at: new Date().toISOString(),
      data: {
        email_id: randomUUID(),
        to: ["bounces@example.com"],
        tags: { venture_id: v.id, campaign_id: id, step: "1" },
        bounce: { type: "Permanent" },
      },
    });
    const msgId = `msg_${randomUUID()}`;
    const at = new Date();
    const hook = await fetch(`${env.EVA_PUBLIC_URL}/webhooks/resend`, {
      method: "POST",
      body: bounce,
      headers: {
        "content-type": "application/json",
        "svix-id": msgId,
        "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
        "svix-signature": new Webhook(RESEND_SECRET).sign(msgId, at, bounce),
      },
    });
    expect(hook.status).toBe(200);

    await advanceClock(25);
    const second = await sendNow();
    expect(second).toMatchObject({ claimed: 1, sent: 1 });
    expect(sentTo("stays@example.com").map((r) => r.body.subject)).toEqual(["Welcome", "Day two"]);
    expect(sentTo("stays@example.com")[1]?.body.html).toContain(">Unsubscribe</a>");
    expect(sentTo("leaves@example.com")).toHaveLength(1);
    expect(sentTo("bounces@example.com")).toHaveLength(1);

    // Suppressed for every campaign of the venture: a new campaign refuses them and never mails them.
    const other = await campaign(v.id, [{ delayHours: 0, subject: "News", text: "News." }]);
    expect((await refusal(subscribe(other, "leaves@example.com"))).code).toBe("EV409");
    expect((await refusal(subscribe(other, "Bounces@Example.com"))).code).toBe("EV409");

    await advanceClock(25);
    expect(await sendNow()).toMatchObject({ sent: 1 });
    await advanceClock(25);
    expect(await sendNow()).toMatchObject({ claimed: 0 });
    expect(sentTo("stays@example.com").map((r) => r.body.subject)).toEqual(["Welcome", "Day two", "Day three"]);
    expect(sentTo("leaves@example.com")).toHaveLength(1);
    expect(sentTo("bounces@example.com")).toHaveLength(1);
    const { rows } = await sql<{ email: string; status: string; current_step: number }>`
      select sub.email, st.status, st.current_step from marketing.marketing_email_state st
      join marketing.marketing_email_subscribers sub on sub.id = st.subscriber_id where st.campaign_id = ${id}::uuid order by sub.email`.execute(
      t.db,
    );
    expect(rows).toEqual([
      { email: "bounces@example.com", status: "suppressed", current_step: 1 },
      { email: "leaves@example.com", status: "suppressed", current_step: 1 },
      { email: "stays@example.com", status: "completed", current_step: 3 },
    ]);
    await resetClock();
  });

  it("a send interrupted after Resend accepted it is retried with the same Idempotency-Key: one email", async () => {
    const v = await createVenture(t.db);
    const id = await campaign(v.id, [{ delayHours: 0, subject: "Once", text: "Only once." }]);
    await subscribe(id, "once@example.com");
    const crashing: EmailClient = {
      async send(message, key) {
        await client.send(message, key);
        throw new Error("worker killed after the call");
      },
    };
    await expect(sendNow({ client: crashing })).rejects.toThrow("worker killed");
    expect(sentTo("once@example.com")).toHaveLength(1);
    // Claimed, not reported: due again after 10 minutes, under the same key.
    await advanceClock(0.2);
    expect(await sendNow()).toMatchObject({ claimed: 1, sent: 1 });
    const keys = resend.requests
      .filter((r) => (r.body.to as string[]).toString() === "once@example.com")
      .map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(sentTo("once@example.com")).toHaveLength(1);
    await resetClock();
  });

  it("a step whose condition fails is skipped; a send Resend refuses is given up and the sequence moves on", async () => {
    const v = await createVenture(t.db);
    const id = await campaign(v.id, [
      { delayHours: 0, subject: "First", text: "First." },
      { delayHours: 0, subject: "Only for openers", text: "You opened it.", condition: "opened_previous" },
      { delayHours: 0, subject: "Last", text: "Last." },
    ]);
    await subscribe(id, "closed@example.com");
    resend.failNext(422);
    expect(await sendNow()).toMatchObject({ refused: 1 });
    // Step 1 refused for good: the next run skips step 2 (nothing was opened) and sends step 3.
    expect(await sendNow()).toMatchObject({ sent: 1 });
    expect(sentTo("closed@example.com").map((r) => r.body.subject)).toEqual(["Last"]);
  });
});

describe("the retirement saga's notice", () => {
  it("goes by email to the venture's subscribers that are not suppressed, once, however often the step runs", async () => {
    const v = await createVenture(t.db);
    const id = await campaign(v.id, [{ delayHours: 1, subject: "Hi", text: "Hi." }]);
    await subscribe(id, "user-one@example.com");
    await subscribe(id, "user-two@example.com");
    await sql`select marketing.fn_ingest_events(${JSON.stringify([
      {
        venture_id: v.id,
        source: "eva",
        platform: "email",
        event_type: "unsubscribe",
        occurred_at: new Date().toISOString(),
        external_id: `unsub-${randomUUID()}`,
        properties: { email: "user-two@example.com" },
      },
    ])}::jsonb)`.execute(t.service);
    await sunset(t.db, t.service, v.id);
    const saga = await retirementOf(t.db, v.id);
    const deps = { db: t.service, analyst: createOfflineAnalyst(), env };
    const before = resend.sent.length;
    await executeSagaStep(deps, saga.id, "notify_users");
    await executeSagaStep(deps, saga.id, "notify_users");
    const notices = resend.sent.slice(before);
    expect(notices.map((r) => [r.body.to, r.body.from, r.body.subject])).toEqual([
      ["user-one@example.com", `${v.name} <notices@mail.example.com>`, `${v.name} is closing`],
    ]);
    const { rows } = await sql<{ result: { notice: { recipients: string[]; delivered: boolean } } }>`
      select result from eva.eva_saga_substeps where saga_id = ${saga.id}::uuid and key = 'notice:all'`.execute(t.db);
    expect(rows[0]?.result.notice).toMatchObject({ recipients: ["user-one@example.com"], delivered: true });
  });
});

describe("UTM links", () => {
  it("tags a link with platform, medium, venture, variant and dispatch, lowercase, keeping the rest", () => {
    const variant = "7C9E6679-7425-40DE-944B-E07FC1F90AE7";
    const link = utmLink("https://example.com/Pricing?plan=pro&utm_source=old#faq", {
      platform: "Mastodon",
      ventureSlug: ventureSlug("Ledger Lens (EU) Ltd."),
      variantId: variant,
      dispatchId: "D-42",
    });
    expect(link).toBe(
      "https://example.com/Pricing?plan=pro&utm_source=mastodon&utm_medium=social&utm_campaign=ledger-lens-eu-ltd&utm_content=7c9e6679-7425-40de-944b-e07fc1f90ae7&utm_id=d-42#faq",
    );
    expect(
      utmOf(utmLink("https://example.com/", { platform: "email", ventureSlug: "v", variantId: "a", dispatchId: "b" })),
    ).toEqual({
      utm_source: "email",
      utm_medium: "email",
      utm_campaign: "v",
      utm_content: "a",
      utm_id: "b",
    });
    expect(() => utmLink("mailto:x@y.z", { platform: "x", ventureSlug: "v", variantId: "a", dispatchId: "b" })).toThrow(
      "not a web link",
    );
  });
});
