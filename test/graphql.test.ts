// The Chairman's GraphQL API over real HTTP: who may read and decide what,
// which tokens are refused, and what an error tells the caller.
import { SignJWT } from "jose";
import { sql } from "kysely";
import { GraphQLError } from "postgraphile/graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskError } from "../graphql/preset.ts";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const SECRET = "graphql-test-secret-graphql-test-secret-0123456789";
process.env.EVA_JWT_SECRET = SECRET;

const t = await createTestDatabase();
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

interface GraphQLResponse {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function gql(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  raw?: string,
): Promise<GraphQLResponse> {
  const response = await fetch(api.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: raw ?? JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Omit<GraphQLResponse, "status"> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, ...body };
}

/** The `nodes` of a connection field in a response (none when it failed). */
function nodesOf(response: GraphQLResponse, field: string): Record<string, unknown>[] {
  return (response.data?.[field] as { nodes?: Record<string, unknown>[] } | null | undefined)?.nodes ?? [];
}

const chairman = () => mintToken("chairman", 600);
const viewer = () => mintToken("viewer", 600);

/** A DFE escalation at Stage 1, opened by the engine as eva_service would (see test/decide.test.ts). */
async function escalation(): Promise<{ ventureId: string; decisionId: string }> {
  const v = await createVenture(t.db);
  const work = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(t.service);
  await sql`select eva.fn_record_stage_result(${work.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
    '{"action": "escalate", "reason": "cost", "recommendedAction": "proceed", "dfe": {"output": "PRESENT_TO_CHAIRMAN", "triggers": [], "patternSignature": ""}}'::jsonb)`.execute(
    t.service,
  );
  const d = await t.db
    .selectFrom("chairman_decisions")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return { ventureId: v.id, decisionId: d.id };
}

const DECIDE = `mutation Decide($id: UUID!, $decision: String!, $notes: String) {
  decide(input: { pDecisionId: $id, pDecision: $decision, pNotes: $notes }) {
    result { rowId status decision notes }
  }
}`;
const VENTURES = "{ allVentures { nodes { rowId name status currentLifecycleStage } } }";
const DECISIONS = "{ allChairmanDecisions { nodes { rowId status decisionType ventureId } } }";
const PREFERENCES = "{ allChairmanPreferences { nodes { rowId key } } }";

describe("the Chairman", () => {
  it("lists ventures and pending decisions, and decides one through `decide`", async () => {
    const { ventureId, decisionId } = await escalation();
    const token = await chairman();

    const ventures = await gql(VENTURES, {}, token);
    expect(ventures.errors).toBeUndefined();
    const nodes = nodesOf(ventures, "allVentures");
    expect(nodes).toContainEqual(expect.objectContaining({ rowId: ventureId, status: "awaiting_decision" }));

    const decisions = await gql(DECISIONS, {}, token);
    expect(decisions.errors).toBeUndefined();
    const pending = nodesOf(decisions, "allChairmanDecisions");
    expect(pending).toContainEqual(
      expect.objectContaining({ rowId: decisionId, status: "pending", decisionType: "dfe_escalation" }),
    );

    const decided = await gql(DECIDE, { id: decisionId, decision: "proceed", notes: "fine" }, token);
    expect(decided.errors).toBeUndefined();
    expect(decided.data?.decide).toEqual({
      result: { rowId: decisionId, status: "decided", decision: "proceed", notes: "fine" },
    });
    const v = await t.db
      .selectFrom("ventures")
      .select(["status", "current_lifecycle_stage"])
      .where("id", "=", ventureId)
      .executeTakeFirstOrThrow();
    expect(v).toEqual({ status: "active", current_lifecycle_stage: 2 });
  });

  it("gets EVA's own message and code when a decision is replayed (EV409)", async () => {
    const { decisionId } = await escalation();
    const token = await chairman();
    expect((await gql(DECIDE, { id: decisionId, decision: "proceed" }, token)).errors).toBeUndefined();
    const replay = await gql(DECIDE, { id: decisionId, decision: "block" }, token);
    expect(replay.data?.decide).toBeNull();
    expect(replay.errors?.[0]).toMatchObject({
      message: `decision ${decisionId} is already decided (proceed)`,
      extensions: { code: "EV409", hint: "A decision is made once; replays are refused." },
    });
  });

  it("gets EVA's own message when the decision's context went stale (EV428)", async () => {
    const v = await createVenture(t.db);
    const draft = await t.db
      .selectFrom("venture_artifacts")
      .select(["artifact_type", "version"])
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 1)
      .executeTakeFirstOrThrow();
    const decision = await withRole(t.db, "eva_service", async (trx) => {
      const d = await trx
        .insertInto("chairman_decisions")
        .values({
          venture_id: v.id,
          lifecycle_stage: 1,
          decision_type: "dfe_escalation",
          context: JSON.stringify({ reason: "cost" }),
          artifact_type: draft.artifact_type,
          artifact_version: draft.version,
        } as never)
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("venture_artifacts")
        .values({
          venture_id: v.id,
          lifecycle_stage: 1,
          artifact_type: draft.artifact_type,
          content: JSON.stringify({ newer: true }),
          epistemic_classification: "simulation",
        } as never)
        .execute();
      return d;
    });
    const stale = await gql(DECIDE, { id: decision.id, decision: "proceed" }, await chairman());
    expect(stale.errors?.[0]).toMatchObject({
      message: expect.stringContaining(
        `it was prepared from ${draft.artifact_type} version ${draft.version}, the current version is ${draft.version + 1}`,
      ),
      extensions: { code: "EV428" },
    });
    const row = await t.db
      .selectFrom("chairman_decisions")
      .select("status")
      .where("id", "=", decision.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
  });

  it("sees no SQL internals: a refused value names its field (EV400), any other failure is an opaque id", async () => {
    const response = await gql(
      `mutation { createVenture(input: { pName: null, pDescription: "d", pProblemStatement: "p", pValueProp: "v",
        pTargetMarket: "t", pArchetype: saas }) { result { rowId } } }`,
      {},
      await chairman(),
    );
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors ?? [];
    expect(error).toMatchObject({
      message: "name is required (ventures): give it a value",
      extensions: { code: "EV400", sqlstate: "23502", field: "name" },
    });
    expect(error?.message).not.toMatch(/null value|violates|relation|column/i);
    const other = maskError(
      new GraphQLError("boom", {
        originalError: Object.assign(new Error("relation eva.x is broken"), { code: "XX000" }),
      }),
    );
    expect(other.message).toMatch(/^An error occurred \(logged with hash: '[^']+', id: '[^']+'\)$/);
  });
});

describe("a viewer", () => {
  it("reads ventures but no chairman decisions or preferences, and cannot decide", async () => {
    const { ventureId, decisionId } = await escalation();
    const token = await viewer();
    const ventures = await gql(VENTURES, {}, token);
    expect(ventures.errors).toBeUndefined();
    expect(nodesOf(ventures, "allVentures").map((n) => n.rowId)).toContain(ventureId);
    for (const query of [DECISIONS, PREFERENCES]) {
      const refused = await gql(query, {}, token);
      expect(Object.values(refused.data ?? {})).toEqual([null]);
      expect(refused.errors?.[0]).toMatchObject({
        message: "permission denied: your role may not do this",
        extensions: { code: "FORBIDDEN" },
      });
    }
    const decide = await gql(DECIDE, { id: decisionId, decision: "proceed" }, token);
    expect(decide.data?.decide).toBeNull();
    expect(decide.errors?.[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    const d = await t.db
      .selectFrom("chairman_decisions")
      .select("status")
      .where("id", "=", decisionId)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe("pending");
  });
});

describe("without a token (eva_anonymous)", () => {
  it("reads no ventures and no decisions: permission errors, not empty lists", async () => {
    await createVenture(t.db);
    for (const query of [VENTURES, DECISIONS]) {
      const refused = await gql(query);
      expect(Object.values(refused.data ?? {})).toEqual([null]);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
    }
    expect((await gql("{ isChairman }")).data).toEqual({ isChairman: false });
  });
});

describe("refused tokens: a 401 and a reason, never anonymous access", () => {
  const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({
    role: "eva_chairman",
    sub: "chairman",
    aud: "eva",
    iss: "eva",
    iat: now(),
    exp: now() + 600,
  });
  const secret = new TextEncoder().encode(SECRET);

  it.each<[string, () => Promise<string>, RegExp]>([
    [
      "signed with another secret",
      () => mintToken("chairman", 600, new TextEncoder().encode("another-secret-another-secret-another-secret")),
      /not one EVA signed/,
    ],
    ["expired", () => mintToken("chairman", -60), /expired/],
    [
      'alg "none"',
      async () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims())}.`,
      /not one EVA signed/,
    ],
    [
      "for a role the API does not serve (eva_service)",
      () => new SignJWT({ ...claims(), role: "eva_service" }).setProtectedHeader({ alg: "HS256" }).sign(secret),
      /role must be one of eva_chairman, eva_viewer/,
    ],
    [
      "without a role",
      () => new SignJWT({ ...claims(), role: undefined }).setProtectedHeader({ alg: "HS256" }).sign(secret),
      /role must be one of/,
    ],
    [
      "for another audience",
      () => new SignJWT({ ...claims(), aud: "postgraphile" }).setProtectedHeader({ alg: "HS256" }).sign(secret),
      /aud claim is not accepted/,
    ],
    ["not a JWT at all", async () => "garbage", /not one EVA signed/],
  ])("refuses a token %s", async (_label, make, reason) => {
    const response = await gql(VENTURES, {}, await make());
    expect(response.status).toBe(401);
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toMatch(reason);
  });

  it("refuses an Authorization header that is not a Bearer token", async () => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Basic dXNlcjpwYXNz" },
      body: JSON.stringify({ query: VENTURES }),
    });
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toMatch(/Bearer <token>/);
  });
});

describe("the schema and its limits", () => {
  it("shows the Chairman's functions and none of the workers'", async () => {
    const response = await gql(
      "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
      {},
      await chairman(),
    );
    const schema = response.data?.__schema as Record<string, { fields: { name: string }[] }>;
    const names = [...(schema.queryType?.fields ?? []), ...(schema.mutationType?.fields ?? [])].map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(["decide", "createVenture", "isChairman", "resolveChairmanPreferences"]),
    );
    for (const hidden of ["recordStageResult", "beginStageRun", "chargeTokens", "setVentureStatus", "sdComplete"]) {
      expect(names.filter((n) => n.toLowerCase().includes(hidden.toLowerCase()))).toEqual([]);
    }
    expect(names.filter((n) => /^fn[A-Z]/.test(n))).toEqual([]);
    expect(names).not.toContain("updateChairmanDecision");
  });

  it("refuses a query that selects too many fields or too large a page", async () => {
    const wide = `{ ${Array.from({ length: 501 }, (_, i) => `a${i}: isChairman`).join(" ")} }`;
    const tooWide = await gql(wide, {}, await chairman());
    expect(tooWide.errors?.[0]?.message).toMatch(/selects 501 fields; at most 500 are allowed/);
    const page = await gql("{ allVentures(first: 5000) { nodes { id } } }", {}, await chairman());
    expect(page.errors?.[0]?.message).toMatch(/first: 5000 asks for more than 1000 rows at once/);
    const fine = await gql("{ allVentures(first: 10) { nodes { id } } }", {}, await chairman());
    expect(fine.errors).toBeUndefined();
  });

  it("refuses a query nested too deeply", async () => {
    const deep = `{ ${"query { ".repeat(12)}isChairman${" }".repeat(12)} }`;
    const response = await gql(deep, {}, await chairman());
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toMatch(/nested 13 levels deep; at most 10 are allowed/);
    const shallow = `{ ${"query { ".repeat(3)}isChairman${" }".repeat(3)} }`;
    expect((await gql(shallow, {}, await chairman())).errors).toBeUndefined();
  });

  it("refuses a request body over the size limit", async () => {
    const padding = " ".repeat(150_000);
    const response = await gql("", {}, await chairman(), JSON.stringify({ query: `{ isChairman }${padding}` }));
    expect(response.status).toBe(413);
  });

  it("serves GraphiQL", async () => {
    const response = await fetch(api.graphiqlUrl, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/ruru|graphiql/i);
  });
});

describe("websockets", () => {
  it("runs operations over graphql-ws with the token from connection_init, and close() ends open sockets", async () => {
    const server = await startApiServer({ url: t.url, port: 0 });
    // The token first: no await between creating the socket and listening for "open".
    const token = await chairman();
    const socket = new WebSocket(server.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const result = await new Promise<unknown>((resolve, reject) => {
      socket.onerror = () => reject(new Error("websocket error"));
      socket.onopen = () =>
        socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
      socket.onmessage = (message) => {
        const msg = JSON.parse(String(message.data));
        if (msg.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: "{ isChairman }" } }));
        } else if (msg.type === "next") {
          resolve(msg.payload);
        }
      };
    });
    expect(result).toEqual({ data: { isChairman: true } });
    const closed = new Promise<void>((resolve) => {
      socket.onclose = () => resolve();
    });
    await server.close();
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });
});

describe("who reads what, and every write audited (spec §12)", () => {
  const NOTE = "private-note: only for the Chairman";

  it("shows a viewer what the Chairman decided, never the notes, which the Chairman reads", async () => {
    const { ventureId, decisionId } = await escalation();
    expect((await gql(DECIDE, { id: decisionId, decision: "proceed", notes: NOTE }, await chairman())).errors).toBe(
      undefined,
    );
    const token = await viewer();
    const reads = await gql(
      `query Reads($v: UUID!) {
        allVentureStateHistories(condition: { ventureId: $v }) { nodes { fromStatus toStatus reason } }
        allVentureStageTransitions(condition: { ventureId: $v }) { nodes { reason } }
        allEvaEventLogs(condition: { ventureId: $v }) { nodes { eventType payload } }
        eventFeed(pLimit: 1000) { nodes { eventType payload } }
      }`,
      { v: ventureId },
      token,
    );
    expect(reads.errors).toBeUndefined();
    expect(JSON.stringify(reads.data)).not.toContain("private-note");
    expect(nodesOf(reads, "allVentureStateHistories")).toContainEqual({
      fromStatus: "awaiting_decision",
      toStatus: "active",
      reason: 'Chairman decided "proceed" at stage 1',
    });
    expect(nodesOf(reads, "allVentureStageTransitions")).toEqual([{ reason: 'Chairman decided "proceed" at stage 1' }]);

    const mine = await gql(
      "query Mine($id: UUID!) { chairmanDecisionByRowId(rowId: $id) { notes } }",
      { id: decisionId },
      await chairman(),
    );
    expect(mine.data?.chairmanDecisionByRowId).toEqual({ notes: NOTE });
  });

  it("logs the Chairman's generic update as audit.write with the token's sub, before → after", async () => {
    const v = await createVenture(t.db);
    const updated = await gql(
      `mutation Moat($id: UUID!) { updateVentureByRowId(input: { rowId: $id, venturePatch: { moatStrategy: "switching costs" } }) { venture { moatStrategy } } }`,
      { id: v.id },
      await chairman(),
    );
    expect(updated.errors).toBeUndefined();
    const { rows } = await sql<{ payload: Record<string, unknown> }>`
      select payload from eva.eva_event_log where event_type = 'audit.write' and venture_id = ${v.id}::uuid`.execute(
      t.db,
    );
    expect(rows).toEqual([
      {
        payload: expect.objectContaining({
          table: "eva.ventures",
          op: "update",
          role: "eva_chairman",
          sub: "chairman",
          changes: { moat_strategy: { before: null, after: "switching costs" } },
        }),
      },
    ]);
  });

  it("refuses a preference its key cannot hold, and the deletion of a seeded global one, with EVA's code", async () => {
    const token = await chairman();
    const { rows } = await sql<{ id: string }>`
      select id from eva.chairman_preferences where scope = 'global' and key = 'score_threshold'`.execute(t.db);
    const id = rows[0]?.id;
    const banana = await gql(
      `mutation P($id: UUID!) { updateChairmanPreferenceByRowId(input: { rowId: $id, chairmanPreferencePatch: { value: "banana" } }) { chairmanPreference { value } } }`,
      { id },
      token,
    );
    expect(banana.errors?.[0]).toMatchObject({
      message: expect.stringContaining("score_threshold"),
      extensions: { code: "EV400" },
    });
    const removed = await gql(
      `mutation D($id: UUID!) { deleteChairmanPreferenceByRowId(input: { rowId: $id }) { deletedChairmanPreferenceId } }`,
      { id },
      token,
    );
    expect(removed.errors?.[0]).toMatchObject({ extensions: { code: "EV409" } });
    const left = await sql<{
      value: string;
    }>`select value from eva.chairman_preferences where id = ${id}::uuid`.execute(t.db);
    expect(left.rows).toEqual([{ value: "50" }]);
  });
});
