// The Chairman's API replayed as an attacker and a careless client would (issue
// "no request can stall EVA"): the introspection flood, the nested-connection
// fan-out, `first: $n` with a huge n, connections without `first`, a request
// that would run long. Real PostgreSQL, real HTTP; sizes and behaviour, not timings.

import pg from "pg";
import { getIntrospectionQuery } from "postgraphile/graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiLimits, DEFAULT_LIMITS } from "../graphql/limits.ts";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "graphql-abuse-test-secret-graphql-abuse-test-secret";

const t = await createTestDatabase();
let api: ApiServer;
const VENTURES = 7;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
  for (let i = 0; i < VENTURES; i++) await createVenture(t.db);
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

interface Answer {
  status: number;
  bytes: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, bytes: Buffer.byteLength(text), ...JSON.parse(text) };
}
const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
  post(api.url, query, variables, token);

const chairman = () => mintToken("chairman", 600);
const viewer = () => mintToken("viewer", 600);

/** The flood: 640 aliased __schema { types { … fields { … } } } selections (92 KB), sent without a token. */
const FLOOD = `{ ${Array.from(
  { length: 640 },
  (_, i) =>
    `s${i}: __schema { types { name kind description fields { name description isDeprecated deprecationReason args { name } type { name kind } } } }`,
).join(" ")} }`;
/** The fan-out, `aliases` times. */
const fanOut = (aliases: number) =>
  `{ ${Array.from(
    { length: aliases },
    (_, i) =>
      `a${i}: allVentureArtifacts { nodes { ventureByVentureId { evaEventLogsByVentureId { nodes { ventureByVentureId { ventureArtifactsByVentureId { nodes { content } } } } } } } }`,
  ).join(" ")} }`;
const QUEUE = "{ allDecisionQueues { nodes { decisionId decisionType ventureName } } }";

describe("the introspection flood", () => {
  it("is refused fast with a small answer, while a Chairman query sent meanwhile is answered", async () => {
    expect(FLOOD.length).toBeGreaterThan(90_000);
    const token = await chairman();
    const floods = Array.from({ length: 5 }, () => gql(FLOOD));
    const [queue, ...refused] = await Promise.all([gql(QUEUE, {}, token), ...floods]);
    expect(queue.errors).toBeUndefined();
    expect(queue.data?.allDecisionQueues).toEqual({ nodes: expect.any(Array) });
    for (const answer of refused) {
      expect(answer.status).toBe(400);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
      expect(answer.bytes).toBeLessThan(10_000);
    }
  });

  it("costs what it returns for the Chairman too: 100 aliases are refused, GraphiQL's own introspection is not", async () => {
    const token = await chairman();
    const hundred = `{ ${Array.from({ length: 100 }, (_, i) => `s${i}: __schema { types { fields { name } } }`).join(" ")} }`;
    const refused = await gql(hundred, {}, token);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/could return \d+ values .* at most \d+ are allowed/),
      extensions: { code: "QUERY_TOO_COSTLY" },
    });
    // The limit is 100000, or one full introspection of the schema when that costs more: 100 aliased ones are over it.
    const [, cost, allowed] =
      /could return (\d+) values .* at most (\d+)/.exec(refused.errors?.[0]?.message ?? "") ?? [];
    expect(Number(allowed)).toBeGreaterThanOrEqual(100_000);
    expect(Number(cost)).toBeGreaterThan(Number(allowed));
    const graphiql = await gql(
      getIntrospectionQuery({ inputValueDeprecation: true, oneOf: true, directiveIsRepeatable: true }),
      {},
      token,
    );
    expect(graphiql.errors).toBeUndefined();
    expect((graphiql.data?.__schema as { types: unknown[] } | undefined)?.types.length).toBeGreaterThan(100);
    // Answered again from its cached JSON text: the same schema.
    const again = await gql(
      getIntrospectionQuery({ inputValueDeprecation: true, oneOf: true, directiveIsRepeatable: true }),
      {},
      token,
    );
    expect(again.status).toBe(200);
    expect(again.data).toEqual(graphiql.data);
  });

  it("refuses introspection without a token (401), serves it to a viewer, and to anyone when EVA_GRAPHQL_INTROSPECTION allows", async () => {
    const query = "{ __schema { queryType { name } } }";
    const anonymous = await gql(query);
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/introspection .* needs a token/),
      extensions: { code: "INTROSPECTION_FORBIDDEN" },
    });
    expect((await gql('{ __type(name: "Venture") { name } }')).errors?.[0]?.extensions?.code).toBe(
      "INTROSPECTION_FORBIDDEN",
    );
    expect((await gql("{ __typename isChairman }")).data).toEqual({ __typename: "Query", isChairman: false });
    expect((await gql(query, {}, await viewer())).data).toEqual({ __schema: { queryType: { name: "Query" } } });

    const previous = process.env.EVA_GRAPHQL_INTROSPECTION;
    process.env.EVA_GRAPHQL_INTROSPECTION = "anonymous";
    const open = await startApiServer({ url: t.url, port: 0 });
    try {
      expect((await post(open.url, query)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
    } finally {
      if (previous === undefined) delete process.env.EVA_GRAPHQL_INTROSPECTION;
      else process.env.EVA_GRAPHQL_INTROSPECTION = previous;
      await open.close();
    }
  });
});

describe("the nested-connection fan-out", () => {
  it.each([1, 10, 18])("is refused before it runs with %i alias(es), as a viewer", async (aliases) => {
    const answer = await gql(fanOut(aliases), {}, await viewer());
    expect(answer.status).toBe(400);
    expect(answer.data ?? null).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/could return \d+ values/),
      extensions: { code: "QUERY_TOO_COSTLY" },
    });
    // 100 artifacts × 100 events × 100 artifacts per alias: a million rows, priced as such.
    const cost = Number(/could return (\d+) values/.exec(answer.errors?.[0]?.message ?? "")?.[1]);
    expect(cost).toBeGreaterThan(aliases * 1_000_000);
    expect(answer.bytes).toBeLessThan(2_000);
  });
});

describe("pages", () => {
  it("refuses first: $n with n = 1000000, as a literal's would be", async () => {
    const token = await viewer();
    const query = "query Page($n: Int) { allVentures(first: $n) { nodes { rowId } } }";
    const huge = await gql(query, { n: 1_000_000 }, token);
    expect(huge.status).toBe(400);
    expect(huge.errors?.[0]).toMatchObject({
      message: "first: 1000000 asks for more than 1000 rows at once; page through them (first: and after:)",
      extensions: { code: "QUERY_TOO_COSTLY" },
    });
    const last = await gql("query Page($n: Int) { allVentures(last: $n) { nodes { rowId } } }", { n: 5000 }, token);
    expect(last.errors?.[0]?.message).toMatch(/^last: 5000 asks for more than 1000 rows/);
    const fine = await gql(query, { n: 2 }, token);
    expect(fine.errors).toBeUndefined();
    expect((fine.data?.allVentures as { nodes: unknown[] } | undefined)?.nodes).toHaveLength(2);
  });

  it("reads at most the default page from a connection without first (or with first: null), variables included", async () => {
    const small = await startApiServer({ url: t.url, port: 0, limits: { defaultPage: 3 } });
    try {
      const token = await chairman();
      const count = (a: Answer, field = "allVentures") =>
        (a.data?.[field] as { nodes: unknown[]; totalCount?: number } | null)?.nodes.length;
      const plain = await post(small.url, "{ allVentures { totalCount nodes { rowId } } }", {}, token);
      expect(plain.errors).toBeUndefined();
      expect((plain.data?.allVentures as { totalCount: number } | undefined)?.totalCount).toBeGreaterThanOrEqual(
        VENTURES,
      );
      expect(count(plain)).toBe(3);
      const nulls = await post(small.url, "{ allVentures(first: null) { nodes { rowId } } }", {}, token);
      expect(count(nulls)).toBe(3);
      const variable = "query V($n: Int) { allVentures(first: $n) { nodes { rowId } } }";
      expect(count(await post(small.url, variable, {}, token))).toBe(3);
      expect(count(await post(small.url, variable, { n: null }, token))).toBe(3);
      expect(count(await post(small.url, variable, { n: 5 }, token))).toBe(5);
      // last: reads the last page, not the last of the default page.
      const last = await post(small.url, "{ allVentures(last: 2) { nodes { rowId } } }", {}, token);
      const all = await post(small.url, "{ allVentures(first: 1000) { nodes { rowId } } }", {}, token);
      const ids = (a: Answer) =>
        (a.data?.allVentures as { nodes: { rowId: string }[] } | undefined)?.nodes.map((n) => n.rowId);
      expect(ids(last)).toEqual(ids(all)?.slice(-2));
      expect(ids(last)).toHaveLength(2);
      // Nested connections and function connections too.
      const nested = await post(
        small.url,
        "{ allVentures(first: 1) { nodes { evaEventLogsByVentureId { nodes { id } } } } resolveChairmanPreferences { nodes { key } } }",
        {},
        token,
      );
      expect(nested.errors).toBeUndefined();
      expect(count(nested, "resolveChairmanPreferences")).toBe(3);
    } finally {
      await small.close();
    }
  });
});

describe("time and size", () => {
  it("cuts off a request whose statement waits past the statement timeout, with a clear error (504)", async () => {
    const short = await startApiServer({ url: t.url, port: 0, limits: { statementTimeoutMs: 300 } });
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table eva.ventures in access exclusive mode");
      const answer = await post(short.url, "{ allVentures { nodes { rowId } } }", {}, await chairman());
      expect(answer.status).toBe(504);
      expect(answer.data ?? null).toBeNull();
      expect(answer.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/ran out of time .* and was cut off/),
        extensions: { code: "QUERY_TIMEOUT" },
      });
    } finally {
      await locker.query("rollback");
      await locker.end();
      await short.close();
    }
  });

  it("cuts off a request past its wall-clock budget though no single statement timed out", async () => {
    const short = await startApiServer({
      url: t.url,
      port: 0,
      limits: { statementTimeoutMs: 60_000, requestTimeoutMs: 300 },
    });
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table eva.ventures in access exclusive mode");
      const answer = await post(short.url, "{ allVentures { nodes { rowId } } }", {}, await chairman());
      expect(answer.status).toBe(504);
      expect(answer.errors?.[0]?.extensions?.code).toBe("QUERY_TIMEOUT");
    } finally {
      await locker.query("rollback");
      await locker.end();
      await short.close();
    }
  });

  it("refuses a response over the size limit instead of sending it", async () => {
    const tight = await startApiServer({ url: t.url, port: 0, limits: { maxResponseBytes: 2_000 } });
    try {
      const token = await chairman();
      const big = await post(
        tight.url,
        "{ allVentures(first: 1000) { nodes { rowId name description problemStatement valueProp targetMarket } } }",
        {},
        token,
      );
      expect(big.status).toBe(400);
      expect(big.data ?? null).toBeNull();
      expect(big.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^the response would be \d+ bytes; at most 2000 are allowed/),
        extensions: { code: "RESPONSE_TOO_LARGE" },
      });
      expect(big.bytes).toBeLessThan(2_000);
      expect((await post(tight.url, "{ isChairman }", {}, token)).data).toEqual({ isChairman: true });
    } finally {
      await tight.close();
    }
  });

  it("holds viewers to a smaller response limit (introspection spared), then turns that viewer away for a pause; never the Chairman", async () => {
    const tight = await startApiServer({
      url: t.url,
      port: 0,
      limits: { sharedMaxResponseBytes: 2_000, refusalPauseMs: 1_500 },
    });
    try {
      const [token, boss] = [await viewer(), await chairman()];
      const big =
        "{ allVentures(first: 1000) { nodes { rowId name description problemStatement valueProp targetMarket } } }";
      // GraphiQL's introspection (far over 2000 bytes) is answered to the viewer all the same.
      const schema = await post(tight.url, getIntrospectionQuery(), {}, token);
      expect(schema.status).toBe(200);
      expect(schema.bytes).toBeGreaterThan(2_000);
      const refused = await post(tight.url, big, {}, token);
      expect(refused.status).toBe(400);
      expect(refused.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^the response would be \d+ bytes; at most 2000 are allowed/),
        extensions: { code: "RESPONSE_TOO_LARGE" },
      });
      // The viewer's next request, however small, waits out the pause; the Chairman's large one is answered.
      const paused = await post(tight.url, "{ isChairman }", {}, token);
      expect(paused.status).toBe(429);
      expect(paused.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/your last request was cut off .* wait \d+ s/),
        extensions: { code: "SLOW_DOWN" },
      });
      const chairmans = await post(tight.url, big, {}, boss);
      expect(chairmans.status).toBe(200);
      expect(chairmans.bytes).toBeGreaterThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      expect((await post(tight.url, "{ isChairman }", {}, token)).data).toEqual({ isChairman: false });
    } finally {
      await tight.close();
    }
  });

  it("refuses a viewer's request whose answer was just cut off for its size before it runs, for a while; never the Chairman's", async () => {
    const tight = await startApiServer({
      url: t.url,
      port: 0,
      limits: { sharedMaxResponseBytes: 2_000, refusalPauseMs: 1, oversizeMemoryMs: 1_500, statementTimeoutMs: 300 },
    });
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      const [token, boss] = [await viewer(), await chairman()];
      const big =
        "query Big($n: Int) { allVentures(first: $n) { nodes { rowId name description problemStatement valueProp targetMarket } } }";
      const cut = await post(tight.url, big, { n: 1000 }, token);
      expect(cut.status).toBe(400);
      expect(cut.errors?.[0]?.message).toMatch(/^the response would be \d+ bytes; at most 2000 are allowed/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // Asked again, it is refused before it runs: with the table locked, running it would time out (504).
      await locker.query("begin");
      await locker.query("lock table eva.ventures in access exclusive mode");
      const again = await post(tight.url, big, { n: 1000 }, token);
      expect(again.status).toBe(400);
      expect(again.errors?.[0]).toMatchObject({
        message: expect.stringMatching(
          /^the response would be \d+ bytes \(it was \d+ s ago\); at most 2000 are allowed/,
        ),
        extensions: { code: "RESPONSE_TOO_LARGE" },
      });
      // Other variables are another request: it runs (and waits on the lock).
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await post(tight.url, big, { n: 999 }, token)).status).toBe(504);
      await locker.query("rollback");
      // The Chairman's is never refused for a viewer's answer.
      expect((await post(tight.url, big, { n: 1000 }, boss)).status).toBe(200);
      // Past the memory, the viewer's runs again (and is cut off again).
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const later = await post(tight.url, big, { n: 1000 }, token);
      expect(later.errors?.[0]?.message).toMatch(/^the response would be \d+ bytes; at most 2000 are allowed/);
    } finally {
      await locker.query("rollback").catch(() => {});
      await locker.end();
      await tight.close();
    }
  });

  it("sends refusals to viewers and anonymous callers late, legacy clients' too, and the Chairman's at once", async () => {
    const slow = await startApiServer({ url: t.url, port: 0, limits: { refusalDelayMs: 3_000 } });
    try {
      const [token, boss] = [await viewer(), await chairman()];
      const timed = async <T>(answer: Promise<T>) => {
        const t0 = performance.now();
        return { answer: await answer, ms: performance.now() - t0 };
      };
      const legacy = fetch(slow.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
        // An invalid document: a legacy client gets its errors with HTTP 200.
        body: JSON.stringify({ query: "{ noSuchField }" }),
      }).then(async (r) => ({ status: r.status, ...((await r.json()) as object) }) as Answer);
      const [viewers, legacys, anonymous, forged, chairmans] = await Promise.all([
        timed(post(slow.url, fanOut(1), {}, token)),
        timed(legacy),
        timed(post(slow.url, FLOOD)),
        timed(post(slow.url, "{ isChairman }", {}, `${token.slice(0, -4)}AAAA`)),
        timed(post(slow.url, fanOut(1), {}, boss)),
      ]);
      expect(viewers.answer.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
      expect(legacys.answer.status).toBe(200);
      expect(legacys.answer.errors?.[0]?.message).toMatch(/noSuchField/);
      expect(anonymous.answer.status).toBe(400);
      expect(chairmans.answer.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
      expect(forged.answer.status).toBe(401);
      for (const late of [viewers, legacys, anonymous, forged]) expect(late.ms).toBeGreaterThanOrEqual(2_900);
      expect(chairmans.ms).toBeLessThan(2_500);
      // A viewer's answer with data is not held back.
      const fine = await timed(post(slow.url, "{ isChairman }", {}, token));
      expect(fine.answer.data).toEqual({ isChairman: false });
      expect(fine.ms).toBeLessThan(2_500);
    } finally {
      await slow.close();
    }
  });

  it("handles viewers' requests one at a time, turns them away past 64 waiting, and never makes the Chairman wait", async () => {
    const lane = await startApiServer({ url: t.url, port: 0 });
    const locker = new pg.Client({ connectionString: t.url });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query("lock table eva.ventures in access exclusive mode");
      const token = await viewer();
      // One holds the lane (waiting on the lock), 64 wait their turn, the other 5 are turned away at once.
      const answered: Answer[] = [];
      const viewers = Array.from({ length: 70 }, () =>
        post(lane.url, "{ allVentures { nodes { rowId } } }", {}, token).then((a) => {
          answered.push(a);
          return a;
        }),
      );
      while (answered.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
      // The Chairman is answered while the viewers' requests still wait.
      expect((await post(lane.url, "{ isChairman }", {}, await chairman())).data).toEqual({ isChairman: true });
      expect(answered).toHaveLength(5);
      for (const answer of answered) {
        expect(answer.status).toBe(503);
        expect(answer.errors?.[0]?.extensions?.code).toBe("SERVER_BUSY");
      }
      await locker.query("rollback");
      const statuses = (await Promise.all(viewers)).map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(65);
    } finally {
      await locker.query("rollback").catch(() => {});
      await locker.end();
      await lane.close();
    }
  });

  it("reads its settings from EVA_GRAPHQL_* and refuses a bad one by name", () => {
    expect(apiLimits({ EVA_GRAPHQL_MAX_COST: "5000", EVA_GRAPHQL_INTROSPECTION: "anonymous" })).toMatchObject({
      maxCost: 5000,
      anonymousIntrospection: true,
    });
    expect(() => apiLimits({ EVA_GRAPHQL_MAX_PAGE: "lots" })).toThrow(
      'EVA_GRAPHQL_MAX_PAGE must be a positive whole number, not "lots"',
    );
    expect(() => apiLimits({ EVA_GRAPHQL_STATEMENT_TIMEOUT_MS: "0" })).toThrow(/EVA_GRAPHQL_STATEMENT_TIMEOUT_MS/);
    expect(() => apiLimits({ EVA_GRAPHQL_DEFAULT_PAGE: "2000" })).toThrow(/must not exceed EVA_GRAPHQL_MAX_PAGE/);
    expect(() => apiLimits({ EVA_GRAPHQL_INTROSPECTION: "yes" })).toThrow(/EVA_GRAPHQL_INTROSPECTION must be/);
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_LIMITS).toEqual({
      defaultPage: 100,
      maxPage: 1000,
      maxCost: 100_000,
      maxResponseBytes: 10 * 1024 * 1024,
      sharedMaxResponseBytes: 1024 * 1024,
      refusalPauseMs: 2_000,
      refusalDelayMs: 250,
      oversizeMemoryMs: 60_000,
      statementTimeoutMs: 5_000,
      requestTimeoutMs: 15_000,
      anonymousIntrospection: false,
      sharedConcurrency: 1,
    });
  });
});
