// Stage 0 from the command line, as the Chairman runs it: eva ideate on the
// blueprint_browse and discovery_mode paths, eva blueprints, eva nursery —
// and bad input refused with a message naming the flag, nothing written.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { stageZeroBriefSchema } from "../src/ideation/contract.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker } from "../src/worker.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const eva = (...args: string[]) => runEva(args, { DATABASE_URL: t.url });

/** Everything a refused eva ideate could have written. */
async function snapshot() {
  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.db)).rows[0]?.n;
  return {
    decisions: await count("eva.chairman_decisions"),
    briefs: await count("eva.venture_briefs"),
    runs: await count("eva.discovery_runs"),
    candidates: await count("eva.discovery_candidates"),
    charges: await count("eva.venture_budget_transactions"),
    nursery: await count("eva.venture_nursery"),
  };
}

describe("eva blueprints", () => {
  it("lists the six blueprints with their categories, archetypes and parameter defaults", async () => {
    const table = await eva("blueprints", "list");
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+CATEGORY\s+ARCHETYPE\s+NAME\s+PARAMETERS \(defaults\)$/);
    expect(lines).toHaveLength(7);
    expect(table.stdout).toMatch(
      /ai-bookkeeping\s+finance\s+automator\s+AI bookkeeping for a niche\s+industry=Dental practice/,
    );
    const json = await eva("blueprints", "--json", "--category", "finance");
    const blueprints = JSON.parse(json.stdout);
    expect(blueprints.map((b: { id: string }) => b.id)).toEqual(["ai-bookkeeping"]);
    expect(blueprints[0].parameters.map((p: { key: string }) => p.key)).toEqual(["industry", "region", "hours"]);
  });
});

describe("eva ideate on every path", () => {
  it("blueprint_browse fills the blueprint's parameters (defaults for the rest) and opens the review", async () => {
    const r = await eva(
      "ideate",
      "--path",
      "blueprint_browse",
      "--blueprint",
      "ai-bookkeeping",
      "--set",
      "industry=Veterinary clinic",
      "--set",
      "region=Canada",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const brief = stageZeroBriefSchema.parse(out.brief);
    expect(brief).toMatchObject({
      originType: "blueprint_browse",
      blueprintId: "ai-bookkeeping",
      name: "Veterinary clinic Ledger",
    });
    expect(brief.targetMarket).toBe("Owners of Veterinary clinic businesses in Canada");
    expect(brief.problemStatement).toContain("12 hours a month");
    expect(out.epistemic).toBe("simulation");
    const d = await t.db
      .selectFrom("chairman_decisions")
      .select("status")
      .where("id", "=", out.decisionId)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe("pending");
    // The Chairman's view of the decision reads each component's verdict and the forecast from the brief.
    const view = await eva("decisions", "view", out.decisionId);
    expect(view.code, view.stderr).toBe(0);
    const s = brief.metadata.synthesis;
    const usd = (x: number) => Math.round(x).toLocaleString("en-US");
    expect(view.stdout).toContain(`Weighted score: ${s.weighted_score} (profile legacy v0)`);
    expect(view.stdout).toContain("Components judged by the offline analyst (simulation)");
    expect(view.stdout).toContain("Figures from the offline analyst (simulation)");
    expect(view.stdout).toContain(`Chairman constraints: ${s.chairman_constraints.verdict}`);
    expect(view.stdout).toContain(
      `Time horizon: ${s.time_horizon.position} (window about ${s.time_horizon.windowMonths} months)`,
    );
    expect(view.stdout).toContain(`Build cost: ${s.build_cost.complexity}, ${s.build_cost.months} months`);
    expect(view.stdout).toContain(
      `TAM $${usd(s.forecast.marketSizing.tamUsd)}, SAM $${usd(s.forecast.marketSizing.samUsd)}`,
    );
    expect(view.stdout).toContain(`year 1 $${usd(s.forecast.revenue.year1.realistic)}`);
    const breakEven = s.forecast.breakEven.months.realistic;
    expect(view.stdout).toContain(
      `Break-even: ${breakEven === null ? "not within the forecast" : `month ${breakEven}`} (realistic)`,
    );
    const v = s.forecast.ventureScore;
    expect(view.stdout).toContain(
      `Venture score ${v.score}, computed from these figures, not asked of the model: revenue ${v.parts.revenue} × 35 %, LTV:CAC ${v.parts.ltvToCac} × 30 %`,
    );
    expect(v.score).toBe(brief.ventureScore);
    // The ideation budget paid for every call.
    expect(out.ideation.usedTokens).toBe(
      out.provenance.length > 0
        ? Number(
            (
              await sql<{
                n: string;
              }>`select sum(prompt_tokens + completion_tokens) as n from eva.venture_budget_transactions
              where provenance ->> 'decisionId' = ${out.decisionId}`.execute(t.db)
            ).rows[0]?.n,
          )
        : 0,
    );
  });

  it("discovery_mode generates N candidates, ranks them and takes the top one; the table output names the scores", async () => {
    const r = await eva(
      "ideate",
      "--path",
      "discovery_mode",
      "--strategy",
      "democratization_finder",
      "--candidates",
      "3",
      "--json",
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.discovery.candidates).toHaveLength(3);
    const top = out.discovery.candidates.find((c: { selected: boolean }) => c.selected);
    expect(top.rankScore).toBe(Math.max(...out.discovery.candidates.map((c: { rankScore: number }) => c.rankScore)));
    expect(out.brief).toMatchObject({ name: top.name, discoveryStrategy: "democratization_finder" });

    const text = await eva("ideate", "--path", "discovery_mode", "--strategy", "capability_overhang");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^origin:\s+discovery_mode$/m);
    expect(text.stdout).toMatch(/^venture score:\s+\d+ \(computed from the forecast\)$/m);
    expect(text.stdout).toMatch(/^weighted score:\s+[\d.]+ \(profile legacy v0, legacy\)$/m);
    expect(text.stdout).toMatch(/^constraints:\s+(pass|review|fail)$/m);
  });

  it("a parked brief shows in eva nursery with its trigger conditions and review date; nursery_reeval brings it back", async () => {
    const r = await eva("ideate", "--path", "blueprint_browse", "--blueprint", "expert-on-demand", "--json");
    const { decisionId, brief } = JSON.parse(r.stdout);
    const parked = await eva("decisions", "decide", decisionId, "park", "--notes", "after the pilot");
    expect(parked.code, parked.stderr).toBe(0);
    const list = await eva("nursery", "list", "--json");
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      name: brief.name,
      status: "parked",
      reason: "after the pilot",
      stale: false,
      reevaluations: 0,
      triggerConditions: brief.metadata.nursery.triggerConditions,
    });
    const table = await eva("nursery");
    expect(table.stdout.split("\n")[0]).toMatch(
      /^ID\s+NAME\s+STATUS\s+MATURITY\s+REVIEW ON\s+RE-EVALUATED\s+STALE\s+REASON$/,
    );
    // Re-evaluating now, by hand, through the nursery_reeval strategy.
    const again = await eva("ideate", "--path", "discovery_mode", "--strategy", "nursery_reeval", "--json");
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout);
    expect(out.brief).toMatchObject({
      originType: "nursery_reeval",
      name: brief.name,
      rawChairmanIntent: brief.rawChairmanIntent,
    });
    expect(out.brief.metadata.nurseryId).toBe(items[0].id);
    const after = JSON.parse((await eva("nursery", "--json")).stdout);
    expect(after[0].reevaluations).toBe(1);
  });
});

describe("bad input", () => {
  it("is refused with a message naming the flag, and nothing is written", async () => {
    const before = await snapshot();
    const cases: [string[], RegExp][] = [
      [["ideate", "--path", "blueprint_browse"], /--blueprint: the blueprint_browse path needs --blueprint <id>/],
      [
        ["ideate", "--path", "blueprint_browse", "--blueprint", "nope"],
        /--blueprint nope: no such blueprint \(eva blueprints list\)/,
      ],
      [
        ["ideate", "--path", "blueprint_browse", "--blueprint", "ai-bookkeeping", "--set", "colour=red"],
        /--set colour: blueprint ai-bookkeeping has no such parameter \(its parameters: industry, region, hours\)/,
      ],
      [
        ["ideate", "--path", "blueprint_browse", "--blueprint", "ai-bookkeeping", "--set", "industry"],
        /--set industry: give a blueprint parameter as key=value/,
      ],
      [
        ["ideate", "--path", "blueprint_browse", "--blueprint", "ai-bookkeeping", "--set", "industry= "],
        /--set industry: a parameter cannot be empty/,
      ],
      [["ideate", "--path", "discovery_mode"], /--strategy: /],
      [
        ["ideate", "--path", "discovery_mode", "--strategy", "vibes"],
        /option '--strategy <strategy>' argument 'vibes' is invalid/,
      ],
      [
        ["ideate", "--path", "discovery_mode", "--strategy", "trend_scanner", "--candidates", "0"],
        /--candidates must be a whole number from 1 to 20/,
      ],
      [
        ["ideate", "--path", "discovery_mode", "--strategy", "trend_scanner", "--candidates", "21"],
        /--candidates must be a whole number from 1 to 20/,
      ],
      [["ideate", "--path", "discovery_mode", "--strategy", "nursery_reeval"], /no parked idea to re-evaluate/],
      [["ideate", "--path", "warp"], /option '--path <path>' argument 'warp' is invalid/],
      [
        ["ideate", "--path", "blueprint_browse", "--blueprint", "ai-bookkeeping", "--profile", "nope"],
        /no evaluation profile "nope"/,
      ],
    ];
    // The nursery is empty for nursery_reeval's case: the idea parked above was re-evaluated into a pending review.
    await sql`update eva.venture_nursery set status = 'revived'`.execute(t.db);
    const mid = await snapshot();
    for (const [args, message] of cases) {
      const r = await eva(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await snapshot()).toEqual(mid);
    expect(mid).toEqual(before);
  });
});

describe("the nursery on its review date, as the README runs it", () => {
  it("moving the clock and ticking queues the re-evaluation; a worker runs it and the Chairman has a new review", async () => {
    const r = await eva("ideate", "--path", "blueprint_browse", "--blueprint", "marketplace-rebuild", "--json");
    const { decisionId, brief } = JSON.parse(r.stdout);
    expect((await eva("decisions", "decide", decisionId, "park", "--notes", "later")).code).toBe(0);
    const [item] = JSON.parse((await eva("nursery", "list", "--status", "parked", "--json")).stdout);
    expect(item.name).toBe(brief.name);
    expect((await eva("schedule", "clock", "--advance", "91d")).code).toBe(0);
    const tick = await eva("schedule", "tick", "nursery_review_check");
    expect(tick.code, tick.stderr).toBe(0);
    expect(tick.stdout).toContain('"reevaluationsQueued":1');
    const worker = await startWorker({ url: t.url, analyst: createOfflineAnalyst(), concurrency: 1 });
    try {
      let review: { id: string; context: { brief: { originType: string; name: string } } } | undefined;
      for (let i = 0; i < 200 && !review; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        review = (
          await sql<{ id: string; context: { brief: { originType: string; name: string } } }>`
            select id, context from eva.chairman_decisions
            where status = 'pending' and context ->> 'nurseryId' = ${item.id}`.execute(t.db)
        ).rows[0];
      }
      expect(review?.context.brief).toMatchObject({ originType: "nursery_reeval", name: brief.name });
    } finally {
      await worker.stop();
    }
    const [after] = JSON.parse((await eva("nursery", "list", "--status", "parked", "--json")).stdout);
    expect(after).toMatchObject({ id: item.id, reevaluations: 1 });
  }, 60_000);
});
