// Traces the Chairman's decisions made through the API: a `decide` mutation
// runs inside an `eva.chairman.decide` span (decision id and outcome, and the
// decision's venture and stage, read after it committed), like the CLI's
// `eva decisions approve|reject|decide` (src/portfolio/decisions.ts). With no
// OTLP endpoint the span is the API's no-op and nothing is read.
import type pg from "pg";
import type {} from "postgraphile";
import {
  type DocumentNode,
  type ExecutionResult,
  Kind,
  type OperationDefinitionNode,
  valueFromASTUntyped,
} from "postgraphile/graphql";
import { ATTR, SpanStatusCode, withSpan } from "../src/orchestration/tracing.ts";

interface DecideCall {
  decisionId: string | undefined;
  decision: string | undefined;
}

/** The `decide` fields of the operation that will run, with their arguments. */
export function decideCalls(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): DecideCall[] {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (operation?.operation !== "mutation") return [];
  const calls: DecideCall[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.name.value !== "decide") continue;
    const input = selection.arguments?.find((a) => a.name.value === "input");
    const value = input ? (valueFromASTUntyped(input.value, variables ?? undefined) as Record<string, unknown>) : {};
    calls.push({
      decisionId: typeof value?.pDecisionId === "string" ? value.pDecisionId : undefined,
      decision: typeof value?.pDecision === "string" ? value.pDecision : undefined,
    });
  }
  return calls;
}

/** The venture and stage of a decision, read as the Chairman on the API's pool. */
async function decisionScope(pool: pg.Pool, id: string): Promise<{ venture: string | null; stage: number } | null> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("set local role eva_chairman");
    const { rows } = await client.query<{ venture_id: string | null; lifecycle_stage: number }>(
      "select venture_id, lifecycle_stage from eva.chairman_decisions where id = $1::uuid",
      [id],
    );
    await client.query("commit");
    return rows[0] ? { venture: rows[0].venture_id, stage: rows[0].lifecycle_stage } : null;
  } catch {
    await client.query("rollback").catch(() => {});
    return null;
  } finally {
    client.release();
  }
}

export function decideTracingPlugin(pool: pg.Pool): GraphileConfig.Plugin {
  return {
    name: "EvaDecideTracingPlugin",
    version: "1.0.0",
    grafast: {
      middleware: {
        execute(next, event) {
          const { document, operationName, variableValues } = event.args;
          const calls = decideCalls(document, operationName, variableValues as Record<string, unknown> | undefined);
          const call = calls[0];
          if (!call) return next();
          return withSpan(
            "eva.chairman.decide",
            {
              "eva.via": "graphql",
              ...(call.decisionId ? { [ATTR.decisionId]: call.decisionId } : {}),
              ...(call.decision ? { [ATTR.decision]: call.decision } : {}),
            },
            async (span) => {
              const result = (await next()) as ExecutionResult;
              const failed = Array.isArray(result?.errors) && result.errors.length > 0;
              span.setAttribute(ATTR.outcome, failed ? "refused" : "decided");
              if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: String(result.errors?.[0]?.message) });
              if (span.isRecording() && call.decisionId) {
                const scope = await decisionScope(pool, call.decisionId);
                if (scope?.venture) span.setAttribute(ATTR.ventureId, scope.venture);
                if (scope) span.setAttribute(ATTR.stage, scope.stage);
              }
              return result;
            },
          );
        },
      },
    },
  };
}
