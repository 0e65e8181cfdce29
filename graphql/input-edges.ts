// Input edges of the GraphQL API (spec §12): PostgreSQL's refusals of a value
// (constraints, types, NUL bytes) reach the caller as EV400 naming the field
// instead of an opaque error; text holding NUL is refused before any SQL runs,
// naming the argument; an update or delete that matches no row says so
// (EV404) instead of answering success with null.
import type {} from "postgraphile";
import { object, sideEffect } from "postgraphile/grafast";
import { type ASTNode, type ExecutionResult, GraphQLError, Kind, visit } from "postgraphile/graphql";
import { inputProblem } from "../src/db/errors.ts";

/** A column as the API names it (PostGraphile's default inflection): problem_statement → problemStatement. */
export const fieldName = (column: string): string => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Each table's columns, from the schema PostGraphile built (to read constraint names that list them). */
const tableColumns = new Map<string, readonly string[]>();

/** What pgDeleteSingle throws when no row matched (PostGraphile v5's own words). */
const NOTHING_DELETED = /^No values were deleted in collection '([^']+)'/;

/**
 * PostgreSQL's refusal of an input value as an EV400 GraphQL error naming the
 * field, and a delete that matched no row as EV404; undefined for other errors.
 */
export function inputErrorFor(error: GraphQLError): GraphQLError | undefined {
  const at = {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
  };
  const deleted = NOTHING_DELETED.exec(error.originalError?.message ?? "");
  if (deleted) {
    const missing = new RowNotFound(
      `${String(error.path?.[0] ?? "delete")}: no ${deleted[1]} row matches, so nothing was deleted`,
    );
    return new GraphQLError(missing.message, { ...at, extensions: { code: missing.code, hint: missing.hint } });
  }
  const problem = inputProblem(error.originalError, fieldName, (table) => tableColumns.get(table));
  if (!problem) return undefined;
  return new GraphQLError(problem.message, {
    ...at,
    extensions: {
      code: problem.code,
      sqlstate: problem.sqlstate,
      ...(problem.field ? { field: problem.field } : {}),
    },
  });
}

/** Where a variable's value holds a string with NUL: "$input.venturePatch.name". */
function nulIn(value: unknown, at: string): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? at : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulIn(item, `${at}[${i}]`);
      if (found) return found;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = key.includes("\u0000") ? at : nulIn(item, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where a string literal of the document holds NUL: "createVenture(input.venture.name)". */
function nulLiteral(document: ASTNode): string | undefined {
  let found: string | undefined;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      if (found || !node.value.includes("\u0000")) return;
      const names: string[] = [];
      for (const a of [...ancestors, parent] as readonly (ASTNode | readonly ASTNode[] | undefined)[]) {
        if (!a) continue;
        if (Array.isArray(a)) continue;
        const n = a as ASTNode;
        if (n.kind === Kind.FIELD) names.length = 0;
        if (n.kind === Kind.FIELD) names.push(`${n.name.value}(`);
        else if (n.kind === Kind.ARGUMENT || n.kind === Kind.OBJECT_FIELD)
          names.push(`${names.length && !names[names.length - 1]?.endsWith("(") ? "." : ""}${n.name.value}`);
      }
      found = names.length ? `${names.join("")})` : "a string literal";
    },
  });
  return found;
}

/** A request whose text holds NUL ("\u0000", which PostgreSQL cannot store) answered with EV400 naming where. */
export function refuseNul(args: {
  document: ASTNode;
  variableValues?: Record<string, unknown> | null;
}): ExecutionResult | undefined {
  const where =
    Object.entries(args.variableValues ?? {})
      .map(([name, value]) => nulIn(value, `$${name}`))
      .find((w) => w !== undefined) ?? nulLiteral(args.document);
  if (!where) return undefined;
  return {
    errors: [
      new GraphQLError(`${where} holds a NUL character (\\u0000), which EVA does not store: remove it`, {
        extensions: { code: "EV400", field: where },
      }),
    ],
  };
}

/** An update or delete mutation that matched no row: an EV404 error, not success with null (or an opaque error). */
class RowNotFound extends Error {
  readonly code = "EV404";
  readonly hint = "Check the id (or nodeId); rows you may not see or change do not match either.";
}

export const EvaInputEdgesPlugin: GraphileConfig.Plugin = {
  name: "EvaInputEdgesPlugin",
  version: "1.0.0",
  grafast: {
    middleware: {
      execute(next, event) {
        return refuseNul(event.args) ?? next();
      },
    },
  },
  schema: {
    hooks: {
      init(_, build) {
        for (const resource of Object.values(build.input.pgRegistry.pgResources)) {
          const table = resource.codec.extensions?.pg?.name;
          if (table && resource.codec.attributes) tableColumns.set(table, Object.keys(resource.codec.attributes));
        }
        return _;
      },
      GraphQLObjectType_fields_field(field, _build, context) {
        const { scope } = context;
        // (pgDeleteSingle throws by itself when nothing matched; inputErrorFor names it.)
        const mode = scope.isPgUpdateMutation ? "updated" : undefined;
        const plan = field.plan;
        if (!mode || !plan) return field;
        const table = scope.pgFieldResource?.name ?? "row";
        const fieldName = scope.fieldName;
        return {
          ...field,
          plan(...args: Parameters<typeof plan>) {
            // The payload is an object step whose "result" is the pgUpdateSingle/pgDeleteSingle step
            // (null when no row matched). A side effect checks it, and a new payload object made after
            // it depends on it, so a missing row errors the mutation field instead of answering null.
            // biome-ignore lint/suspicious/noExplicitAny: the payload step's type is PostGraphile's own
            const $payload = plan(...args) as any;
            const $result = $payload.getStepForKey("result");
            sideEffect($result, (result: unknown) => {
              if (result == null)
                throw new RowNotFound(`${fieldName}: no ${table} row matches, so nothing was ${mode}`);
              return result;
            });
            return object({ result: $result });
          },
        };
      },
    },
  },
};
