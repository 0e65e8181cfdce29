// Upstream artifacts for the Stage 3-9 tests: each stage's offline analysis
// run in lifecycle order (simulate + computeDerived, seeded by the prompt like
// the engine), and a wider set of ventures to check that gate outcomes spread.
import { createRng, seedFrom } from "../../src/llm/rng.ts";
import type { Archetype } from "../../src/stages/enums.ts";
import { stage02 } from "../../src/stages/stage-02.ts";
import { stage03 } from "../../src/stages/stage-03.ts";
import { stage04 } from "../../src/stages/stage-04.ts";
import { stage05 } from "../../src/stages/stage-05.ts";
import { stage06 } from "../../src/stages/stage-06.ts";
import { stage07 } from "../../src/stages/stage-07.ts";
import { stage08 } from "../../src/stages/stage-08.ts";
import { stage09 } from "../../src/stages/stage-09.ts";
import type { StageContext, StageDefinition, UpstreamArtifact, VentureBrief } from "../../src/stages/types.ts";
import { sampleVentures } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: a chain of stages with different analysis types
type AnyStage = StageDefinition<any, any>;

export const chain: AnyStage[] = [stage02, stage03, stage04, stage05, stage06, stage07, stage08, stage09];

export type Artifacts = Record<string, UpstreamArtifact>;

/** The Stage 1 artifact: the venture brief itself. */
export function ideaBrief(venture: VentureBrief): UpstreamArtifact {
  const { id: _, ...content } = venture;
  return { stage: 1, type: "idea_brief", version: 1, content, qualityScore: null };
}

/** The context a stage sees: the venture and exactly the artifacts its contract names. */
export function stageContext(stage: AnyStage, venture: VentureBrief, all: Artifacts): StageContext {
  const artifacts: Artifacts = {};
  for (const a of Object.values(all)) if (stage.consumes.includes(a.stage)) artifacts[a.type] = a;
  return { venture, artifacts, runNumber: 1, feedback: [], asOf: "2026-11-01" };
}

/** Runs one stage offline as the engine would: seeded by its prompt, derived, schema-checked. */
export function runStage(stage: AnyStage, venture: VentureBrief, all: Artifacts): Record<string, unknown> {
  const ctx = stageContext(stage, venture, all);
  const prompt = stage.prompt(ctx);
  const analysis = stage.simulate(ctx, createRng(seedFrom(`${prompt.system}\n${prompt.user}`)));
  return { ...analysis, ...stage.computeDerived(analysis, ctx) };
}

/** Every artifact from Stage 1 up to (and excluding) stage `before`, produced offline. */
export function upstreamArtifacts(venture: VentureBrief, before: number): Artifacts {
  const all: Artifacts = { idea_brief: ideaBrief(venture) };
  for (const stage of chain) {
    if (stage.number >= before) break;
    const content = runStage(stage, venture, all);
    const type = stage.produces[0] as string;
    all[type] = { stage: stage.number, type, version: 1, content, qualityScore: null };
  }
  return all;
}

/** The context for `stage` with offline upstream artifacts for `venture`. */
export function contextAt(stage: AnyStage, venture: VentureBrief): StageContext {
  return stageContext(stage, venture, upstreamArtifacts(venture, stage.number));
}

const ARCHETYPES: Archetype[] = ["saas", "marketplace", "deeptech", "hardware", "services", "media", "fintech"];

/**
 * `count` ventures varied from the samples: different names and wording (so
 * different profiles), archetypes, assumptions, criteria and moats.
 */
export function ventureVariants(count: number): VentureBrief[] {
  return Array.from({ length: count }, (_, i) => {
    const base = sampleVentures[i % sampleVentures.length] as VentureBrief;
    return {
      ...base,
      id: `00000000-0000-4000-8000-${String(1000 + i).padStart(12, "0")}`,
      name: `${base.name} ${i + 1}`,
      archetype: ARCHETYPES[(i * 3) % ARCHETYPES.length] as Archetype,
      description: `${base.description} Variant ${i + 1}.`,
      keyAssumptions: base.keyAssumptions.slice(0, i % 4),
      successCriteria: i % 3 === 0 ? [] : base.successCriteria,
      moatStrategy: i % 2 === 0 ? base.moatStrategy : null,
    };
  });
}

/** A marker artifact from outside every Stage 3-9 contract: prompts must leave it out. */
export const OUTSIDER_MARKER = "OUTSIDE-THE-CONTRACT-7f3a";

/** `ctx` plus an artifact its contract does not name. */
export function withOutsider(ctx: StageContext): StageContext {
  return {
    ...ctx,
    artifacts: {
      ...ctx.artifacts,
      sales_pipeline: {
        stage: 12,
        type: "sales_pipeline",
        version: 1,
        content: { marker: OUTSIDER_MARKER },
        qualityScore: null,
      },
    },
  };
}

/** The heading stagePrompt gives an upstream artifact. */
export const artifactHeading = (stage: number, type: string) => `### Stage ${stage} — ${type}`;

/**
 * Upstream artifacts with every field replaced by a wrong shape: the offline
 * analyst must fall back rather than throw.
 */
export function misshapenArtifacts(stage: AnyStage, venture: VentureBrief): StageContext {
  const ctx = contextAt(stage, venture);
  const artifacts: Artifacts = {};
  for (const [type, a] of Object.entries(ctx.artifacts)) {
    const content: Record<string, unknown> = {};
    for (const key of Object.keys(a.content)) content[key] = "not what you expect";
    artifacts[type] = { ...a, content: type === "idea_brief" ? a.content : content };
  }
  return { ...ctx, artifacts };
}

/** Every upstream artifact up to `stage` plus the outsider, unfiltered: the prompt must keep to the contract. */
export function overfullContext(stage: AnyStage, venture: VentureBrief): StageContext {
  return withOutsider({
    venture,
    artifacts: upstreamArtifacts(venture, stage.number),
    runNumber: 1,
    feedback: [],
    asOf: "2026-11-01",
  });
}

/** Sample venture `i` of helpers.ts. */
export function sample(i: number): VentureBrief {
  const venture = sampleVentures[i];
  if (!venture) throw new Error(`no sample venture ${i}`);
  return venture;
}

/** The content of artifact `type`, failing the test clearly when the chain did not produce it. */
export function contentOf<T>(all: Artifacts, type: string): T {
  const artifact = all[type];
  if (!artifact) throw new Error(`no ${type} artifact`);
  return artifact.content as T;
}

/** Element `i` of a list, failing clearly when it is absent. */
export function nth<T>(items: readonly T[], i: number): T {
  if (i >= items.length) throw new Error(`no element ${i}`);
  return items[i] as T;
}
