// Stage 14 — Technical Architecture (spec §8.4): the architecture that builds
// the Stage 13 deliverables under the Stage 6 risks — the five core layers
// (plus domain-specific ones), categorised constraints, cross-cutting
// security, a schema-lite list of data entities and the tech stack. Stage 18
// places sprint items on these layers. Nothing here is derived.
import { z } from "zod";
import { constraintCategory } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asNumber, asRecord, asString } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

export const coreLayer = z.enum(["presentation", "api", "business_logic", "data", "infrastructure"]);
export const dataClassification = z.enum(["public", "internal", "confidential", "restricted"]);

const layer = z.object({ description: z.string().min(1), technologies: z.array(z.string().min(1)).min(1) });

const analysisObject = z.object({
  layers: z.array(layer.extend({ name: coreLayer })).min(1),
  /** Domain-specific layers beyond the five core ones (e.g. firmware, ml_pipeline); empty when none. */
  additionalLayers: z.array(layer.extend({ name: z.string().min(1) })),
  constraints: z.array(
    z.object({ description: z.string().min(1), impact: z.string().min(1), category: constraintCategory }),
  ),
  security: z.object({
    authStrategy: z.string().min(1),
    dataClassification,
    complianceRequirements: z.array(z.string().min(1)),
  }),
  dataEntities: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().min(1),
        /** e.g. "belongs to Account", "has many Invoice". */
        relationships: z.array(z.string().min(1)),
        /** e.g. "50k rows in year 1". */
        estimatedVolume: z.string().min(1),
      }),
    )
    .min(1),
  techStack: z.object({
    frontend: z.string().min(1),
    backend: z.string().min(1),
    database: z.string().min(1),
    hosting: z.string().min(1),
    languages: z.array(z.string().min(1)).min(1),
  }),
});

type ArchitectureShape = z.infer<typeof analysisObject>;

function architectureRules(a: ArchitectureShape, ctx: z.RefinementCtx) {
  const names = [...a.layers, ...a.additionalLayers].map((l) => l.name);
  if (new Set(names).size !== names.length) {
    ctx.addIssue({
      code: "custom",
      path: ["layers"],
      message: "layer names must be unique across layers and additionalLayers",
    });
  }
  const entities = a.dataEntities.map((e) => e.name);
  if (new Set(entities).size !== entities.length) {
    ctx.addIssue({ code: "custom", path: ["dataEntities"], message: "data entity names must be unique" });
  }
}

const analysisSchema = analysisObject.superRefine(architectureRules);
export type ArchitectureAnalysis = z.infer<typeof analysisSchema>;
export type ArchitectureDerived = Record<never, never>;

// ---------------------------------------------------------------------------
// The offline analyst.

type Archetype = VentureBrief["archetype"];

const STACK: Record<Archetype, ArchitectureShape["techStack"]> = {
  saas: {
    frontend: "React",
    backend: "Node.js",
    database: "PostgreSQL",
    hosting: "Managed cloud containers",
    languages: ["TypeScript", "SQL"],
  },
  marketplace: {
    frontend: "Next.js",
    backend: "Node.js",
    database: "PostgreSQL",
    hosting: "Managed cloud containers",
    languages: ["TypeScript", "SQL"],
  },
  deeptech: {
    frontend: "React",
    backend: "Python (FastAPI)",
    database: "PostgreSQL + object storage",
    hosting: "Cloud with GPU nodes",
    languages: ["Python", "TypeScript"],
  },
  hardware: {
    frontend: "React",
    backend: "Go",
    database: "PostgreSQL + time-series store",
    hosting: "Cloud + on-device firmware",
    languages: ["C", "Go", "TypeScript"],
  },
  services: {
    frontend: "Server-rendered web app",
    backend: "Node.js",
    database: "PostgreSQL",
    hosting: "Managed platform (PaaS)",
    languages: ["TypeScript"],
  },
  media: {
    frontend: "Static site generator",
    backend: "Node.js",
    database: "PostgreSQL",
    hosting: "CDN + serverless functions",
    languages: ["TypeScript"],
  },
  fintech: {
    frontend: "React",
    backend: "Kotlin (Spring)",
    database: "PostgreSQL with audit log",
    hosting: "Regulated cloud region",
    languages: ["Kotlin", "TypeScript", "SQL"],
  },
};

const ENTITIES: Record<Archetype, string[]> = {
  saas: ["Account", "User", "Subscription", "WorkItem", "AuditEvent"],
  marketplace: ["Account", "Listing", "Booking", "Payout", "Review"],
  deeptech: ["Organisation", "Dataset", "Model", "Run", "Result"],
  hardware: ["Customer", "Device", "TestRun", "Measurement", "FirmwareRelease"],
  services: ["Client", "Engagement", "Booking", "Invoice", "Note"],
  media: ["Subscriber", "Issue", "Article", "Sponsor", "Placement"],
  fintech: ["Customer", "Account", "Transaction", "Consent", "AuditEvent"],
};

const ADDITIONAL: Partial<Record<Archetype, { name: string; description: string; technologies: string[] }>> = {
  hardware: {
    name: "firmware",
    description: "On-device control and measurement firmware",
    technologies: ["C", "FreeRTOS"],
  },
  deeptech: {
    name: "ml_pipeline",
    description: "Training and evaluation pipeline",
    technologies: ["Python", "PyTorch"],
  },
  fintech: {
    name: "ledger",
    description: "Double-entry ledger with immutable postings",
    technologies: ["PostgreSQL", "Kotlin"],
  },
};

/** Stage 6 risk categories (free text or enum) → the constraint category they press on. */
export function constraintCategoryFor(riskCategory: string): z.infer<typeof constraintCategory> {
  const c = riskCategory.toLowerCase();
  if (/secur|privacy|fraud/.test(c)) return "security";
  if (/regul|legal|complian/.test(c)) return "compliance";
  if (/financ|cost|budget|econom/.test(c)) return "budget";
  if (/scal|operat/.test(c)) return "scalability";
  if (/tech|perform|product|execution/.test(c)) return "performance";
  return "timeline";
}

function compliance(v: VentureBrief): string[] {
  const where = `${v.targetMarket} ${v.description}`.toLowerCase();
  const out: string[] = [];
  if (/\beu\b|europe|german|france|spain|ital|uk\b|united kingdom|british|cities/.test(where)) out.push("GDPR");
  if (v.archetype === "fintech") out.push("PSD2 / strong customer authentication", "PCI DSS for card data");
  if (v.archetype === "hardware") out.push("CE / UKCA product safety marking");
  if (/account|invoice|ledger|payment/.test(where)) out.push("Financial record retention (audit trail)");
  return out;
}

function simulate(ctx: StageContext, rng: Rng): ArchitectureAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const stack = STACK[v.archetype];
  const milestones = asArray(asRecord(ctx.artifacts.product_roadmap?.content).milestones).map(asRecord);
  const deliverables = milestones.flatMap((m) => asArray(m.deliverables).map(asRecord));
  const names = (type: string) =>
    deliverables
      .filter((d) => d.type === type)
      .map((d) => asString(d.name, ""))
      .filter(Boolean);
  const now = milestones.find((m) => m.priority === "now");
  const nowDate = asString(now?.targetDate, "");
  const risks = asArray(asRecord(ctx.artifacts.risk_matrix?.content).risks)
    .map(asRecord)
    .sort(
      (a, b) =>
        asNumber(b.riskScore, asNumber(b.probability, 1) * asNumber(b.consequence, 1)) -
        asNumber(a.riskScore, asNumber(a.probability, 1) * asNumber(a.consequence, 1)),
    );

  const features = names("feature");
  const integrations = names("integration");
  const layers: ArchitectureAnalysis["layers"] = [
    {
      name: "presentation",
      description: `User interface for ${v.targetMarket}${features.length ? `: ${features.slice(0, 3).join(", ")}` : ""}`,
      technologies: [stack.frontend],
    },
    {
      name: "api",
      description: "Versioned HTTP API; the only way into the business logic",
      technologies: ["REST/JSON", "OpenAPI"],
    },
    {
      name: "business_logic",
      description: `Domain services that deliver: ${v.valueProp}`,
      technologies: [stack.backend],
    },
    { name: "data", description: "Transactional store and backups", technologies: [stack.database] },
    {
      name: "infrastructure",
      description: `${stack.hosting}; CI/CD, monitoring${integrations.length ? `; integrations: ${integrations.join(", ")}` : ""}`,
      technologies: [stack.hosting, "CI/CD", "Monitoring and alerting"],
    },
  ];
  const extra = ADDITIONAL[v.archetype];

  const constraints: ArchitectureAnalysis["constraints"] = risks.slice(0, 3).map((r) => ({
    description: `Design for the risk: ${asString(r.description, "an identified Stage 6 risk")}`,
    impact: asString(r.mitigationStrategy, "Shapes the design of the affected layers"),
    category: constraintCategoryFor(asString(r.category, "")),
  }));
  if (nowDate) {
    constraints.push({
      description: `The "now" milestone is due ${nowDate}`,
      impact: "Prefer managed services and existing libraries over custom infrastructure",
      category: "timeline",
    });
  }
  if (p.difficulty > 0.6) {
    constraints.push({
      description: "Hard technical core for the team's size",
      impact: "Prototype the riskiest component before committing to the full design",
      category: "performance",
    });
  }

  const regulated = v.archetype === "fintech" || compliance(v).length > 1;
  const entityNames = ENTITIES[v.archetype];
  const volume = Math.round((1 + p.market * 9) * 10) * 1_000;
  const dataEntities = entityNames.map((name, i) => ({
    name,
    description: i === 0 ? `A customer of ${v.name}` : `${name} records of the core workflow`,
    relationships: i === 0 ? [`has many ${entityNames[1]}`] : [`belongs to ${entityNames[i === 1 ? 0 : 1]}`],
    estimatedVolume: `${(volume * (i + 1) * rng.int(1, 3)).toLocaleString("en-US")} rows in year 1`,
  }));

  return {
    layers,
    additionalLayers: extra ? [extra] : [],
    constraints,
    security: {
      authStrategy: regulated
        ? "OAuth 2.0 / OpenID Connect with mandatory multi-factor authentication"
        : "Email + password or single sign-on (OpenID Connect), optional multi-factor authentication",
      dataClassification: v.archetype === "fintech" ? "restricted" : regulated ? "confidential" : "internal",
      complianceRequirements: compliance(v),
    },
    dataEntities,
    techStack: { ...stack, languages: [...stack.languages] },
  };
}

export const stage14: StageDefinition<ArchitectureAnalysis, ArchitectureDerived> = {
  number: 14,
  name: "Technical Architecture",
  phase: 4,
  gateType: "none",
  consumes: [6, 13],
  produces: ["technical_architecture"],
  analysisSchema,
  artifactSchema: analysisObject.superRefine(architectureRules),
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a software architect designing the system that delivers the roadmap",
      task: [
        "Design the architecture for the Stage 13 deliverables, respecting the Stage 6 risks.",
        "layers: the core layers (name: presentation, api, business_logic, data or infrastructure, each at most once) with description and technologies; additionalLayers for domain-specific layers (empty if none).",
        "constraints: description, impact and category (performance, security, scalability, compliance, budget or timeline).",
        "security: authStrategy, dataClassification (public, internal, confidential or restricted), complianceRequirements.",
        "dataEntities (schema-lite): name, description, relationships, estimatedVolume. techStack: frontend, backend, database, hosting, languages.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const layers = new Set(artifact.layers.map((l) => l.name)).size * 8;
    const constraints = Math.min(artifact.constraints.length, 4) * 4;
    const categories = new Set(artifact.constraints.map((c) => c.category)).size >= 2 ? 5 : 0;
    const entities = Math.min(artifact.dataEntities.length, 5) * 3;
    const related = artifact.dataEntities.every((e) => e.relationships.length > 0) ? 5 : 0;
    return Math.min(100, 20 + layers + constraints + categories + entities + related);
  },
};
