// The Constraint Drift Detector on constructed artifacts: each category's
// severities from NONE to HIGH, the overall as the worst, and the deadline
// parser behind the timing rules.
import { describe, expect, it } from "vitest";
import { detectConstraintDrift, parseDeadline, worst } from "../../src/gates/drift.ts";
import type { UpstreamArtifact, VentureBrief } from "../../src/stages/types.ts";

const vet: VentureBrief = {
  id: "00000000-0000-4000-8000-00000000d001",
  name: "VetNudge",
  archetype: "saas",
  description: "Vaccination reminders and online booking for independent veterinary clinics.",
  problemStatement: "Clinics lose revenue when pet owners forget boosters.",
  // Content words: remind, pet, owner, vaccination, book, visit, automatically (7).
  valueProp: "Reminds pet owners of vaccinations and books the visit automatically",
  // Content words: independent, veterinary, clinic, rural, scotland (5).
  targetMarket: "Independent veterinary clinics in rural Scotland",
  keyAssumptions: ["Clinics pay 39 GBP a month"],
  successCriteria: ["100 paying clinics in 12 months", "Bookings from 5,000 pet owners"],
  moatStrategy: null,
};

const up = (stage: number, type: string, content: Record<string, unknown>): Record<string, UpstreamArtifact> => ({
  [type]: { stage, type, version: 1, content, qualityScore: null },
});

const tiers = (...descriptions: string[]) => ({
  customerTiers: descriptions.map((d, i) => ({ name: `Tier ${i + 1}`, description: d, persona: "Practice manager" })),
});

describe("market drift: the Stage 1 target market against later segments", () => {
  it.each([
    ["NONE", "Independent veterinary clinics in rural Scotland"],
    ["NONE", "Veterinary clinics in rural Scotland"], // 4 of 5
    ["LOW", "Veterinary clinics in England"], // 2 of 5
    ["MEDIUM", "Large hospital clinics in England"], // 1 of 5
    ["HIGH", "Dog groomers in London"], // 0 of 5
  ])("Stage 11 tiers → %s (%s)", (severity, description) => {
    const report = detectConstraintDrift(vet, 11, tiers(description), {});
    expect(report.categories.market.severity).toBe(severity);
    expect(report.categories.market.compared).toBe(true);
    expect(report.categories.market.evidence[0]).toMatch(/of 5 words of the Stage 1 target market/);
  });

  it("reads each stage's own segment fields (Stage 8 canvas, Stage 10 audience, Stage 25 vision)", () => {
    const away = "Dog groomers in London";
    expect(detectConstraintDrift(vet, 8, { customerSegments: [{ text: away }] }, {}).categories.market.severity).toBe(
      "HIGH",
    );
    expect(detectConstraintDrift(vet, 10, { brandGenome: { audience: away } }, {}).categories.market.severity).toBe(
      "HIGH",
    );
    expect(
      detectConstraintDrift(vet, 25, { currentVision: `VetNudge for ${vet.targetMarket}` }, {}).categories.market
        .severity,
    ).toBe("NONE");
  });
});

describe("product drift: the value proposition against later positioning", () => {
  it.each([
    ["NONE", "Reminds owners about vaccinations and books each visit"], // 5 of 7
    ["LOW", "Sends vaccination alerts to pet owners"], // 3 of 7
    ["MEDIUM", "A loyalty app for pet owners"], // 2 of 7
    ["HIGH", "Inventory software for the clinic's pharmacy"], // 0 of 7
  ])("Stage 8 value propositions → %s (%s)", (severity, text) => {
    const report = detectConstraintDrift(vet, 8, { valuePropositions: [{ text }] }, {});
    expect(report.categories.product.severity).toBe(severity);
  });

  it("takes Stage 25's own semantic drift check when it is worse than the word overlap", () => {
    const artifact = {
      currentVision: vet.valueProp,
      driftCheck: { semanticDrift: "major_drift", rationale: "description words lost" },
    };
    const report = detectConstraintDrift(vet, 25, artifact, {});
    expect(report.categories.product.severity).toBe("HIGH");
    expect(report.categories.product.evidence.join(" ")).toContain("major_drift");
  });

  it("reads the roadmap's milestones and deliverables at Stage 13", () => {
    const milestones = [
      {
        title: "MVP",
        description: "Vaccination reminders for pet owners",
        targetDate: "2027-03-01",
        deliverables: [{ name: "Visit booking", description: "Books the visit automatically" }],
        outcomes: [],
      },
    ];
    expect(detectConstraintDrift(vet, 13, { milestones }, {}).categories.product.severity).toBe("NONE");
  });
});

describe("competitor drift: later competitor lists against Stage 3's entities", () => {
  const stage3 = up(3, "validation_scorecard", {
    competitorEntities: [
      { name: "PetDesk", positioning: "reminders for large groups", threatLevel: "high" },
      { name: "Paper postcards", positioning: "the habit", threatLevel: "medium" },
      { name: "VetConnect Ltd", positioning: "practice software add-on", threatLevel: "low" },
    ],
  });
  const stage4 = (...names: string[]) => ({ competitors: names.map((name) => ({ name })) });

  it("is NONE when Stage 4 analyses the same competitors (names matched loosely)", () => {
    const r = detectConstraintDrift(vet, 4, stage4("PetDesk", "paper postcards", "VetConnect"), stage3);
    expect(r.categories.competitor).toMatchObject({ severity: "NONE", compared: true });
  });

  it("is LOW when Stage 4 adds a competitor or drops a minor one", () => {
    expect(
      detectConstraintDrift(vet, 4, stage4("PetDesk", "Paper postcards", "VetConnect", "Vetstoria"), stage3).categories
        .competitor.severity,
    ).toBe("LOW");
    expect(
      detectConstraintDrift(vet, 4, stage4("PetDesk", "Paper postcards"), stage3).categories.competitor.severity,
    ).toBe("LOW");
  });

  it("is MEDIUM when a high-threat competitor disappears or most of the list is new", () => {
    const dropped = detectConstraintDrift(vet, 4, stage4("Paper postcards", "VetConnect"), stage3).categories
      .competitor;
    expect(dropped.severity).toBe("MEDIUM");
    expect(dropped.evidence.join(" ")).toContain("high-threat competitor(s) dropped: PetDesk");
    expect(
      detectConstraintDrift(vet, 4, stage4("PetDesk", "Vetstoria", "Petsapp", "Covetrus"), stage3).categories.competitor
        .severity,
    ).toBe("MEDIUM");
  });

  it("is HIGH when none of the baseline competitors survives", () => {
    const r = detectConstraintDrift(
      vet,
      5,
      { stage4Context: { competitorsConsidered: ["Vetstoria", "Petsapp"] } },
      stage3,
    );
    expect(r.categories.competitor.severity).toBe("HIGH");
  });

  it("falls back to Stage 4 as the baseline where Stage 3 is not in the contract (Stage 7)", () => {
    const s4 = up(4, "competitive_analysis", stage4("PetDesk", "Paper postcards", "VetConnect"));
    const same = { competitiveContext: { comparedCompetitors: ["PetDesk", "Paper postcards", "VetConnect"] } };
    expect(detectConstraintDrift(vet, 7, same, s4).categories.competitor.evidence[0]).toContain("Stage 4 competitors");
    expect(detectConstraintDrift(vet, 7, same, s4).categories.competitor.severity).toBe("NONE");
  });

  it("counts only newcomers among Stage 9's competitor acquirers", () => {
    const acquirers = (...names: string[]) => ({
      targetAcquirers: names.map((name) => ({ name, buyerType: "competitor" })),
    });
    expect(detectConstraintDrift(vet, 9, acquirers("PetDesk"), stage3).categories.competitor.severity).toBe("NONE");
    expect(detectConstraintDrift(vet, 9, acquirers("Mars Petcare"), stage3).categories.competitor.severity).toBe(
      "MEDIUM",
    );
  });

  it("does not compare at Stage 3, which sets the baseline, or without a baseline", () => {
    expect(detectConstraintDrift(vet, 3, {}, {}).categories.competitor.compared).toBe(false);
    expect(detectConstraintDrift(vet, 4, stage4("PetDesk"), {}).categories.competitor).toMatchObject({
      severity: "NONE",
      compared: false,
    });
  });
});

describe("timing drift: Stage 1 deadlines against planned dates", () => {
  const roadmap = (targetDate: string, outcome = "100 paying clinics") => ({
    roadmapStart: "2027-01-01",
    milestones: [
      { title: "MVP", priority: "now", targetDate: "2027-04-01", outcomes: ["Ten clinics use reminders weekly"] },
      { title: "Launch", priority: "next", targetDate, outcomes: [outcome] },
    ],
  });

  it.each([
    ["NONE", "2027-12-15"], // 11.5 of 12 months
    ["LOW", "2028-03-01"], // ×1.17
    ["MEDIUM", "2028-06-01"], // ×1.42
    ["HIGH", "2029-01-01"], // ×2
  ])("Stage 13: the milestone carrying '100 paying clinics in 12 months' → %s (%s)", (severity, date) => {
    const r = detectConstraintDrift(vet, 13, roadmap(date), {});
    expect(r.categories.timing.severity).toBe(severity);
    expect(r.categories.timing.evidence.join(" ")).toContain('"Launch" is planned');
  });

  it("is LOW when no milestone carries a criterion with a deadline", () => {
    const r = detectConstraintDrift(vet, 13, roadmap("2027-10-01", "Grow"), {});
    expect(r.categories.timing.severity).toBe("LOW");
    expect(r.categories.timing.evidence[0]).toContain("no roadmap milestone carries it");
  });

  it("at Stage 23, flags a longer measurement window (MEDIUM) and a dropped criterion (LOW)", () => {
    const launch = (window: string, withOwners: boolean) => ({
      plannedLaunchDate: "2027-05-01",
      successCriteria: [
        { metric: "paying clinics", target: "100", measurementWindow: window, priority: "primary" },
        ...(withOwners ? [{ metric: "pet owners booking", target: "5,000", measurementWindow: "90 days" }] : []),
      ],
    });
    expect(detectConstraintDrift(vet, 23, launch("12 months", true), {}).categories.timing.severity).toBe("NONE");
    expect(detectConstraintDrift(vet, 23, launch("18 months", true), {}).categories.timing.severity).toBe("MEDIUM");
    expect(detectConstraintDrift(vet, 23, launch("12 months", false), {}).categories.timing.severity).toBe("LOW");
  });

  it("is HIGH when a release or launch falls after an absolute deadline", () => {
    const dated: VentureBrief = { ...vet, successCriteria: ["Live in 20 clinics by 2027-06-30"] };
    expect(detectConstraintDrift(dated, 22, { targetDate: "2027-09-01" }, {}).categories.timing.severity).toBe("HIGH");
    expect(detectConstraintDrift(dated, 22, { targetDate: "2027-06-01" }, {}).categories.timing.severity).toBe("NONE");
    expect(detectConstraintDrift(dated, 23, { plannedLaunchDate: "2027-07-15" }, {}).categories.timing.severity).toBe(
      "HIGH",
    );
  });

  it("does not compare when Stage 1 states no deadline or the stage plans no dates", () => {
    const none: VentureBrief = { ...vet, successCriteria: ["1,000 bookings a month"] };
    expect(detectConstraintDrift(none, 13, roadmap("2030-01-01"), {}).categories.timing.compared).toBe(false);
    expect(detectConstraintDrift(vet, 16, {}, {}).categories.timing.compared).toBe(false);
  });
});

describe("the report", () => {
  it("takes the worst category as the overall severity", () => {
    const r = detectConstraintDrift(
      vet,
      8,
      {
        customerSegments: [{ text: "Veterinary clinics in England" }],
        valuePropositions: [{ text: "A loyalty app for pet owners" }],
      },
      {},
    );
    expect(r.categories.market.severity).toBe("LOW");
    expect(r.categories.product.severity).toBe("MEDIUM");
    expect(r.overall).toBe("MEDIUM");
    expect(worst(["LOW", "HIGH", "NONE"])).toBe("HIGH");
  });

  it("finds nothing to compare at a stage that states none of the four, with a reason for each", () => {
    const r = detectConstraintDrift(vet, 19, { tasks: [] }, {});
    expect(r.overall).toBe("NONE");
    for (const finding of Object.values(r.categories)) {
      expect(finding.compared).toBe(false);
      expect(finding.evidence[0]).toMatch(/\S/);
    }
  });

  it("is deterministic and leaves its inputs alone", () => {
    const artifact = { customerTiers: [{ name: "A", description: "Dog groomers in London" }] };
    const before = structuredClone(artifact);
    expect(detectConstraintDrift(vet, 11, artifact, {})).toEqual(detectConstraintDrift(vet, 11, artifact, {}));
    expect(artifact).toEqual(before);
  });

  it("tolerates misshapen artifacts", () => {
    const odd = { customerTiers: "three", valuePropositions: [null, 3], milestones: { x: 1 }, competitors: "many" };
    for (const stage of [4, 8, 11, 13, 23, 25]) {
      expect(() => detectConstraintDrift(vet, stage, odd, {})).not.toThrow();
    }
  });
});

describe("parseDeadline", () => {
  it.each([
    ["100 paying clinics in 12 months", 12, null, "100 paying clinics"],
    ["Break even within a year", 12, null, "Break even"],
    ["Two hospital pilots within 2 quarters", 6, null, "Two hospital pilots"],
    ["First sale in 6 weeks", 6 * (7 / 30.44), null, "First sale"],
    ["1,000 users in the first year", 12, null, "1,000 users"],
    ["Live in 20 clinics by 2027-06-30", null, "2027-06-30", "Live in 20 clinics"],
    ["Profitable by Q3 2028", null, "2028-09-30", "Profitable"],
    ["Series A by March 2028", null, "2028-03-31", "Series A"],
    ["Market leader by 2030", null, "2030-12-31", "Market leader"],
  ])("%s", (criterion, months, date, goal) => {
    const d = parseDeadline(criterion);
    if (months === null) expect(d?.months).toBeNull();
    else expect(d?.months).toBeCloseTo(months);
    expect(d?.date ?? null).toBe(date);
    expect(d?.goal).toBe(goal);
  });

  it("reads no deadline into a rate or a plain target", () => {
    expect(parseDeadline("1,000 sublets a month")).toBeNull();
    expect(parseDeadline("50,000 subscribers")).toBeNull();
  });
});
