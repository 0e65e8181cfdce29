// Publishing through GraphQL: the Chairman requests a publish (the same
// dispatch however often), sets a budget and Reddit's switch; viewers read the
// outbox and its attempts under RLS but call none of the Chairman's functions.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { field, postGraphql } from "./helpers/graphql.ts";
import { scheduledContent } from "./helpers/marketing-dispatch.ts";

const SECRET = "graphql-marketing-publish-secret-0123456789abcdef";
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

const gql = (query: string, variables: Record<string, unknown>, token: string) =>
  postGraphql(api.url, query, { variables, token });

type Edge = { marketingDispatchEdge: { node: Record<string, string> } };

const REQUEST = `mutation($variant: UUID!, $platform: String) {
  requestPublish(input: { pVariantId: $variant, pPlatform: $platform }) {
    marketingDispatchEdge { node { rowId status platform postText link idempotencyKey } }
  }
}`;

it("the Chairman requests a publish (one dispatch however often) and sets a budget; viewers read, never act", async () => {
  const v = await createVenture(t.db);
  const { variantIds } = await scheduledContent(t.db, v.id, [
    { platform: "bluesky", text: "From GraphQL", linkUrl: "https://ledgerloop.example/g" },
  ]);
  const chairman = await mintToken("chairman", 600);
  const viewer = await mintToken("viewer", 600);

  const first = await gql(REQUEST, { variant: variantIds[0] }, chairman);
  expect(first.errors).toBeUndefined();
  const d = field<Edge>(first, "requestPublish").marketingDispatchEdge.node;
  expect(d).toMatchObject({ status: "due", platform: "bluesky" });
  expect(d.link).toContain(`utm_id=${d.rowId}`);
  expect(d.link).toContain("utm_source=bluesky&utm_medium=social");
  expect(d.postText).toBe(`From GraphQL\n\n${d.link}`);
  const again = await gql(REQUEST, { variant: variantIds[0] }, chairman);
  expect(field<Edge>(again, "requestPublish").marketingDispatchEdge.node.rowId).toBe(d.rowId);

  const budget = await gql(
    `mutation($venture: UUID!) { setChannelBudget(input: { pVentureId: $venture, pPlatform: "x", pMonthlyBudgetCents: "1500" }) {
      marketingChannelBudgetEdge { node { platform monthlyBudgetCents status } } } }`,
    { venture: v.id },
    chairman,
  );
  expect(budget.data?.setChannelBudget).toEqual({
    marketingChannelBudgetEdge: { node: { platform: "x", monthlyBudgetCents: "1500", status: "active" } },
  });

  const read = await gql(
    `query { allMarketingDispatches { nodes { rowId status } } allMarketingChannelBudgets { nodes { platform } } }`,
    {},
    viewer,
  );
  expect(read.errors).toBeUndefined();
  expect(field<{ nodes: { rowId: string }[] }>(read, "allMarketingDispatches").nodes.map((n) => n.rowId)).toContain(
    d.rowId,
  );
  const denied = await gql(REQUEST, { variant: variantIds[0] }, viewer);
  expect(denied.errors?.[0]?.message).toMatch(/permission denied/);
}, 60_000);
