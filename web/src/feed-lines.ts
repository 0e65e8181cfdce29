// The event feed's lines (pages/events.tsx): each event in words a person
// reads, every part said once. Pure, so that it is tested without a browser.
import { decisionTypeLabel } from "./format.ts";
import type { FeedEventFragment } from "./gql/graphql.ts";

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");

/** One line a person reads for an event. */
export function describe(e: Pick<FeedEventFragment, "eventType" | "payload">): string {
  const p = (e.payload ?? {}) as Record<string, unknown>;
  switch (e.eventType) {
    case "stage.entered":
      return `entered Stage ${text(p.to_stage)}${p.reason ? ` (${text(p.reason)})` : ""}`;
    case "chairman.decision_requested":
      return `${decisionTypeLabel(text(p.decision_type))} requested at Stage ${text(p.stage)}; recommended: ${text(p.recommended_action) || "none"}`;
    case "gate.evaluated":
      return `${text(p.gate_type)} gate at Stage ${text(p.stage)}: ${text(p.decision)}${p.rationale ? `: ${text(p.rationale)}` : ""}`;
    case "dfe.evaluated": {
      // What set it off, by trigger (low_score, cost_threshold, …): the decision's page has the figures.
      const triggers = Array.isArray(p.triggers)
        ? p.triggers.map((t) => text((t as { type?: unknown } | null)?.type)).filter((t) => t !== "")
        : [];
      return `Decision Filter Engine at Stage ${text(p.stage)}: ${text(p.output)}${triggers.length ? ` (${triggers.join(", ")})` : ""}`;
    }
    case "venture.created":
      return `created at Stage ${text(p.stage)} (${text(p.archetype)})`;
    case "stage.blocked":
    case "stage.failed":
      return `Stage ${text(p.stage)} ${e.eventType.slice("stage.".length)}${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "saga.completed": {
      const steps = Array.isArray(p.steps) ? p.steps.map((s) => text(s).replace(/_/g, " ")).join(", ") : "";
      return `${text(p.saga_type).replace(/_/g, " ") || "saga"} completed${steps ? `: ${steps}` : ""}`;
    }
    default:
      if (e.eventType.startsWith("chairman.") && p.decision_type)
        return `the Chairman decided ${text(p.decision)} on the ${decisionTypeLabel(text(p.decision_type)).toLowerCase()} at Stage ${text(p.stage)}${p.notes ? `: ${text(p.notes)}` : ""}`;
      if (e.eventType.startsWith("venture.")) {
        const what = e.eventType.slice("venture.".length).replace(/_/g, " ");
        const reason = text(p.reason);
        // "killed at stage 3: …" says what happened itself; other reasons follow the word.
        return reason.startsWith(`${what} `) ? reason : `${what}${reason ? `: ${reason}` : ""}`;
      }
      return e.eventType;
  }
}
