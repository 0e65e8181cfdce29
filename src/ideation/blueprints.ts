// Blueprint Browse (spec §16): templates in eva.venture_blueprints, by
// category, with parameters (each with a default) filled into the templates'
// {{key}} slots to give a path output. No analysis call: the brief is
// template-derived, then synthesized like any other.
import type { Database } from "../db/client.ts";
import type { VentureArchetype } from "../db/schema.ts";
import type { EhgArchetype, PathOutput } from "./contract.ts";

export interface BlueprintParameter {
  key: string;
  label: string;
  default: string;
}

export interface Blueprint {
  id: string;
  name: string;
  category: string;
  description: string;
  ehgArchetype: EhgArchetype;
  ventureArchetype: VentureArchetype;
  templates: { name: string; problem: string; solution: string; targetMarket: string };
  parameters: BlueprintParameter[];
}

export async function listBlueprints(db: Database, category?: string): Promise<Blueprint[]> {
  let q = db.selectFrom("venture_blueprints").selectAll().orderBy("category").orderBy("id");
  if (category) q = q.where("category", "=", category);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    category: r.category,
    description: r.description,
    ehgArchetype: r.ehg_archetype as EhgArchetype,
    ventureArchetype: r.venture_archetype,
    templates: {
      name: r.name_template,
      problem: r.problem_template,
      solution: r.solution_template,
      targetMarket: r.target_market_template,
    },
    parameters: r.parameters as unknown as BlueprintParameter[],
  }));
}

export async function findBlueprint(db: Database, id: string): Promise<Blueprint | undefined> {
  return (await listBlueprints(db)).find((b) => b.id === id);
}

export class BlueprintInputError extends Error {}

/** The parameters' values: the defaults, overridden by `set`; an unknown key is an error naming the known ones. */
export function blueprintValues(blueprint: Blueprint, set: Record<string, string>): Record<string, string> {
  const keys = blueprint.parameters.map((p) => p.key);
  const unknown = Object.keys(set).filter((k) => !keys.includes(k));
  if (unknown.length)
    throw new BlueprintInputError(
      `--set ${unknown.join(", ")}: blueprint ${blueprint.id} has no such parameter (its parameters: ${keys.join(", ") || "none"})`,
    );
  const values: Record<string, string> = {};
  for (const p of blueprint.parameters) values[p.key] = (set[p.key] ?? p.default).trim();
  const empty = Object.entries(values).filter(([, v]) => v === "");
  if (empty.length)
    throw new BlueprintInputError(`--set ${empty.map(([k]) => k).join(", ")}: a parameter cannot be empty`);
  return values;
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? `{{${key}}}`);

export function blueprintPath(blueprint: Blueprint, set: Record<string, string>): PathOutput {
  const values = blueprintValues(blueprint, set);
  const name = fill(blueprint.templates.name, values);
  const problemStatement = fill(blueprint.templates.problem, values);
  const solution = fill(blueprint.templates.solution, values);
  const targetMarket = fill(blueprint.templates.targetMarket, values);
  const params = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  return {
    origin: "blueprint_browse",
    name,
    description: `${name}: ${blueprint.description} ${solution}`,
    problemStatement,
    solution,
    targetMarket,
    rawChairmanIntent: `Blueprint ${blueprint.id} (${blueprint.name}) with ${params.join(", ")}`,
    archetypeHint: blueprint.ventureArchetype,
    competitorRef: [],
    blueprintId: blueprint.id,
    notes: [
      `From the ${blueprint.category} blueprint "${blueprint.name}" (${blueprint.ehgArchetype}): ${params.join(", ")}`,
    ],
  };
}
