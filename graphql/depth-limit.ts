// A GraphQL validation rule that refuses documents nested deeper than a limit,
// so one request cannot ask for ventures → decisions → venture → … without
// end. Introspection (__schema, __type) is not counted: GraphiQL needs it.
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from "postgraphile/graphql";

/** The deepest field nesting of `selectionSet` (1 for `{ a }`), following fragment spreads. */
function depthOf(
  selectionSet: SelectionSetNode,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  seen: ReadonlySet<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue;
      depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet, fragments, seen) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, fragments, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments(name);
      // Cycles are reported by the standard NoFragmentCycles rule.
      if (!fragment || seen.has(name)) continue;
      depth = depthOf(fragment.selectionSet, fragments, new Set([...seen, name]));
    }
    if (depth > deepest) deepest = depth;
  }
  return deepest;
}

export function maxDepthRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, (name) => context.getFragment(name), new Set());
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(
            `the ${node.name ? `operation "${node.name.value}"` : "operation"} is nested ${depth} levels deep; at most ${maxDepth} are allowed`,
            { nodes: [node], extensions: { code: "QUERY_TOO_DEEP" } },
          ),
        );
      }
    },
  });
}

/** How many fields `selectionSet` asks for in all, fragments expanded (introspection not counted). */
function fieldsOf(
  selectionSet: SelectionSetNode,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  seen: ReadonlySet<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith("__")) continue;
      total += 1 + (selection.selectionSet ? fieldsOf(selection.selectionSet, fragments, seen) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += fieldsOf(selection.selectionSet, fragments, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments(name);
      if (!fragment || seen.has(name)) continue;
      total += fieldsOf(fragment.selectionSet, fragments, new Set([...seen, name]));
    }
  }
  return total;
}

/**
 * The query's cost, counted as the fields it selects (aliases included, so a
 * thousand aliased copies of a costly field cost a thousand), and its page
 * sizes: a literal `first`/`last` above `maxPage` is refused too.
 */
export function maxCostRule(maxFields: number, maxPage: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const fields = fieldsOf(node.selectionSet, (name) => context.getFragment(name), new Set());
      if (fields > maxFields) {
        context.reportError(
          new GraphQLError(`the operation selects ${fields} fields; at most ${maxFields} are allowed`, {
            nodes: [node],
            extensions: { code: "QUERY_TOO_COSTLY" },
          }),
        );
      }
    },
    Argument(node) {
      if ((node.name.value === "first" || node.name.value === "last") && node.value.kind === Kind.INT) {
        const size = Number(node.value.value);
        if (size > maxPage) {
          context.reportError(
            new GraphQLError(
              `${node.name.value}: ${size} asks for more than ${maxPage} rows at once; page through them`,
              {
                nodes: [node],
                extensions: { code: "QUERY_TOO_COSTLY" },
              },
            ),
          );
        }
      }
    },
  });
}
