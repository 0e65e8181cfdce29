// Which of an artifact's fields are measured and which are judgement (spec
// §7.1 "do not fabricate evidence"): a stage that reads measured data names
// those fields (StageDefinition.measuredFields) with their source; every
// other top-level field is the analyst's judgement (or EVA's derivation from
// it), labelled with the artifact's own classification — `simulation` from
// the offline analyst, `assumption` from a model. Stored in the artifact's
// epistemic_evidence as `fields`.
import type { Provenance } from "../llm/types.ts";
import type { AnyStage } from "./index.ts";
import type { MeasuredField, StageContext } from "./types.ts";

export interface FieldLabel {
  classification: "fact" | "unknown" | "simulation" | "assumption";
  source: string;
}

export function fieldEvidence(
  definition: AnyStage,
  artifact: object,
  ctx: StageContext,
  judgement: { epistemic: "simulation" | "assumption"; provenance: Provenance },
): { fields: Record<string, FieldLabel> } {
  const measured = definition.measuredFields?.(artifact, ctx) ?? {};
  const { analyst, model } = judgement.provenance;
  const source = `${analyst === "offline" ? "the offline analyst" : `model ${model}`} (judgement, or EVA's derivation from it)`;
  const fields: Record<string, FieldLabel> = {};
  for (const key of Object.keys(artifact))
    fields[key] = measured[key] ?? { classification: judgement.epistemic, source };
  return { fields };
}

/** Where engineering's reported results were read: the table, the function, the sprint's saga and items. */
export function engineeringSource(engineering: StageContext["engineering"]): string {
  const items = (engineering?.items ?? []).filter((i) => i.testsPassed !== null || i.status !== "pending");
  const ids = items.map((i) => i.id ?? i.title);
  const saga = engineering?.sagaId ? `saga ${engineering.sagaId}, ` : "";
  return `eva.sd_work_items via eva.fn_sd_results (${saga}${ids.length ? `items ${ids.join(", ")}` : "no item reported"})`;
}

/** The given fields as `fact` from engineering's report, or `unknown` when engineering reported nothing. */
export function engineeringFields(
  fields: readonly string[],
  engineering: StageContext["engineering"],
  reported: boolean,
) {
  const label: MeasuredField = reported
    ? { classification: "fact", source: engineeringSource(engineering) }
    : {
        classification: "unknown",
        source: engineering
          ? `${engineeringSource(engineering)}: no test results reported`
          : "engineering was never asked (no SD execution saga for this sprint)",
      };
  return Object.fromEntries(fields.map((f) => [f, label]));
}
