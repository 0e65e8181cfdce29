// The knowledge base's read side over GraphQL (spec §10, §16), under RLS: a
// viewer reads mortality curves, anti-patterns, predictions and template
// recommendations; without a token nothing; nobody writes through the API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { syncKnowledge } from "../src/intelligence/knowledge.ts";
import { predictVenture } from "../src/intelligence/predictor.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { postGraphql } from "./helpers/graphql.ts";
import { killedAtFive, ventureThrough } from "./helpers/intelligence.ts";

process.env.EVA_JWT_SECRET = "intelligence-graphql-secret-0123456789-abcdefghij";

const t = await createTestDatabase();
let api: ApiServer;
let fresh: { id: string; name: string };
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
  for (let i = 0; i < 2; i++) await killedAtFive(t.db, { archetype: "media" });
  await ventureThrough(t.db, 5, { archetype: "saas" });
  await ventureThrough(t.db, 5, { archetype: "saas" });
  await syncKnowledge(t.service);
  fresh = await ventureThrough(t.db, 0, { archetype: "media" });
  await predictVenture(t.service, fresh.id);
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const gql = (query: string, token?: string) =>
  postGraphql<Record<string, { nodes?: Record<string, unknown>[] } | null>>(api.url, query, { token });

const KNOWLEDGE = `{
  allStageMortalityCurves(condition: { segment: "media", lifecycleStage: 5 }) { nodes { exposed died hazard basis } }
  allPortfolioAntiPatterns { nodes { lifecycleStage patternSignature died ventures rate } }
}`;

describe("the knowledge base over GraphQL", () => {
  it("a viewer reads the mortality curves, anti-patterns and a venture's predictions", async () => {
    const r = await gql(KNOWLEDGE, await mintToken("viewer", 600));
    expect(r.errors).toBeUndefined();
    expect(r.data?.allStageMortalityCurves?.nodes).toEqual([
      // (2 + 4 · portfolio hazard) / (2 + 4), the portfolio's being (2 + 4·0.25) / (4 + 4) = 0.375.
      { exposed: 2, died: 2, hazard: String(Math.round(((2 + 4 * 0.375) / 6) * 1e4) / 1e4), basis: "blended" },
    ]);
    expect(r.data?.allPortfolioAntiPatterns?.nodes).toContainEqual(
      expect.objectContaining({ lifecycleStage: 5, patternSignature: "media:5:died-here", died: 2, ventures: 2 }),
    );
    const p = await gql(
      `{ allStageOfDeathPredictions(condition: { ventureId: "${fresh.id}" }) { nodes { fromStage predictedStage deathProbability } } }`,
      await mintToken("viewer", 600),
    );
    expect(p.data?.allStageOfDeathPredictions?.nodes).toEqual([
      expect.objectContaining({ fromStage: 1, predictedStage: 5 }),
    ]);
  });

  it("without a token reads nothing: permission errors", async () => {
    const r = await gql(KNOWLEDGE);
    expect(r.data?.allStageMortalityCurves ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
  });

  it("offers no mutation that writes the knowledge base", async () => {
    const r = await gql(`{ __type(name: "Mutation") { fields { name } } }`, await mintToken("chairman", 600));
    const names = ((r.data?.__type as unknown as { fields: { name: string }[] })?.fields ?? []).map((f) => f.name);
    expect(names.length).toBeGreaterThan(0);
    expect(
      names.filter((n) => /AntiPattern|MortalityCurve|StageOfDeath|Counterfactual|VentureTemplate/i.test(n)),
    ).toEqual([]);
  });
});
