// Sample ventures and contexts for the stage modules' unit tests.
import type { StageContext, UpstreamArtifact, VentureBrief } from "../../src/stages/types.ts";

export const sampleVentures: VentureBrief[] = [
  {
    id: "00000000-0000-4000-8000-000000000001",
    name: "LedgerLoop",
    archetype: "saas",
    description: "An invoice reconciliation assistant for small accounting firms that drown in paperwork.",
    problemStatement: "Small firms lose hours every week matching invoices to payments by hand.",
    valueProp: "Matches every invoice to its payment automatically, with an audit trail.",
    targetMarket: "EU accounting firms with 2-20 staff",
    keyAssumptions: ["Firms pay 49 EUR a month", "Bank feeds are available through open banking"],
    successCriteria: ["100 paying firms in 12 months"],
    moatStrategy: "Proprietary matching data from every reconciled ledger",
  },
  {
    id: "00000000-0000-4000-8000-000000000002",
    name: "OrbitForge",
    archetype: "hardware",
    description: "Desktop-sized satellite component test rig for university space labs and small startups.",
    problemStatement: "Vacuum and thermal testing costs weeks of waiting at shared facilities.",
    valueProp: "Run qualification tests on your own bench the same day.",
    targetMarket: "University labs and cubesat startups",
    keyAssumptions: [],
    successCriteria: [],
    moatStrategy: null,
  },
  {
    id: "00000000-0000-4000-8000-000000000003",
    name: "StallSwap",
    archetype: "marketplace",
    description: "A marketplace where weekend market traders sublet their stalls when they cannot attend.",
    problemStatement: "Traders pay for stalls they cannot use while others wait on long lists.",
    valueProp: "Recover stall fees and fill every pitch, with the organiser's approval built in.",
    targetMarket: "Street and farmers' market traders in UK cities",
    keyAssumptions: ["Organisers allow subletting", "Traders accept a 10% fee", "Demand exceeds stall supply"],
    successCriteria: ["30 markets live", "1,000 sublets a month"],
    moatStrategy: null,
  },
  {
    id: "00000000-0000-4000-8000-000000000004",
    name: "Quillwise",
    archetype: "media",
    description: "A newsletter network that explains new regulations to small business owners in plain words.",
    problemStatement: "Owners miss rule changes that cost them fines because official texts are unreadable.",
    valueProp: "Five-minute weekly briefings tailored to your sector and region.",
    targetMarket: "Small business owners in Germany",
    keyAssumptions: ["Sponsors pay for sector audiences"],
    successCriteria: ["50,000 subscribers"],
    moatStrategy: "Editorial trust and a sector-tagged archive",
  },
];

/** A stage context for `venture` with the given upstream artifacts (content by type, stage inferred by caller). */
export function contextFor(
  venture: VentureBrief,
  artifacts: Record<string, Omit<UpstreamArtifact, "type">>,
  runNumber = 1,
): StageContext {
  return {
    venture,
    artifacts: Object.fromEntries(Object.entries(artifacts).map(([type, a]) => [type, { ...a, type }])),
    runNumber,
    feedback: [],
    asOf: "2026-11-01",
  };
}
