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
