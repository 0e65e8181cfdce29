// The shape every analysisStep prompt shares: who the analyst is, the venture,
// the upstream artifacts the contract names (and only those), the task, and
// the feedback of a re-run.
import type { Prompt, StageContext } from "./types.ts";

export interface PromptSpec {
  /** Who the model is for this stage, e.g. "a venture analyst running competitive intelligence". */
  role: string;
  /** What to produce, stage-specific. The JSON schema is enforced separately (structured output). */
  task: string;
  /** Guidance lines appended after the task. */
  rules?: string[];
}

export function stagePrompt(ctx: StageContext, spec: PromptSpec): Prompt {
  const v = ctx.venture;
  const upstream = Object.values(ctx.artifacts)
    .filter((a) => a.stage !== 1)
    .sort((a, b) => a.stage - b.stage || a.type.localeCompare(b.type))
    .map((a) => `### Stage ${a.stage} — ${a.type} (version ${a.version})\n${JSON.stringify(a.content)}`);
  const system = [
    `You are ${spec.role} inside EVA, a system that takes ventures through a 25-stage lifecycle.`,
    "Answer with one JSON object matching the given schema, nothing else.",
    "Analyse; do not fabricate evidence: where data is missing, say it is an assumption.",
  ].join(" ");
  const user = [
    `## Venture: ${v.name} (${v.archetype})`,
    `Description: ${v.description}`,
    `Problem: ${v.problemStatement}`,
    `Value proposition: ${v.valueProp}`,
    `Target market: ${v.targetMarket}`,
    v.keyAssumptions.length ? `Key assumptions:\n${v.keyAssumptions.map((a) => `- ${a}`).join("\n")}` : "",
    v.successCriteria.length ? `Success criteria:\n${v.successCriteria.map((c) => `- ${c}`).join("\n")}` : "",
    v.moatStrategy ? `Moat strategy: ${v.moatStrategy}` : "",
    upstream.length ? `## Upstream artifacts\n${upstream.join("\n\n")}` : "",
    // What engineering reported for the sprint (Stages 19 and 20): the analysis must see it, and so must the cache key.
    // Row ids stay out: they mean nothing to the analyst and differ between databases.
    ctx.engineering
      ? `## Engineering report (the SD work items' results)\n${JSON.stringify(withoutIds(ctx.engineering))}`
      : "",
    `## Task\n${spec.task}`,
    spec.rules?.length ? spec.rules.map((r) => `- ${r}`).join("\n") : "",
    ctx.feedback.length
      ? `## This is run ${ctx.runNumber}; address this feedback\n${ctx.feedback.map((f) => `- ${f}`).join("\n")}`
      : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return { system, user };
}

function withoutIds(e: NonNullable<StageContext["engineering"]>) {
  const { sagaId: _saga, ...rest } = e;
  return { ...rest, items: e.items.map(({ id: _id, ...item }) => item) };
}

/** The context restricted to the artifact types a stage's contract names (spec §7.4): a prompt sees nothing else. */
export function withinContract(ctx: StageContext, contract: readonly string[]): StageContext {
  return {
    ...ctx,
    artifacts: Object.fromEntries(Object.entries(ctx.artifacts).filter(([type]) => contract.includes(type))),
  };
}
