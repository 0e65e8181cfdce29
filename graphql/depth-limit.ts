// A GraphQL validation rule that refuses documents nested deeper than a limit,
// so one request cannot ask for ventures → decisions → venture → … without
// end. Introspection (__schema, __type) is not counted here (GraphiQL's own
// query nests its type references deeper); it counts in operationCost, which
// prices what an operation can return, rows multiplied through connections.
import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
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

/** How many fields `selectionSet` asks for in all, fragments expanded (introspection included). */
function fieldsOf(
  selectionSet: SelectionSetNode,
  fragments: (name: string) => FragmentDefinitionNode | null | undefined,
  seen: ReadonlySet<string>,
): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
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
 * The fields a document selects (aliases included, so a thousand aliased
 * copies of a field count a thousand). Rows are priced by operationCost, on
 * the executed variable values.
 */
export function maxFieldsRule(maxFields: number) {
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
  });
}

export interface CostOptions {
  /** The operation's variable values, as sent. */
  variables: Readonly<Record<string, unknown>>;
  defaultPage: number;
  maxPage: number;
}

export interface OperationCost {
  /**
   * How many values the operation can return: each field counts once per
   * object it is read on, a connection's nodes/edges repeat over its page
   * (`first`/`last`, or the default page), other lists of objects over the
   * default page, introspection lists over the schema's own sizes.
   */
  cost: number;
  /** The first page too large (`first: 5000 asks for more than 1000 rows…`), if any. */
  pageError?: string;
  /** The names of the fields selected (for the introspection check). */
  fields: string[];
}

/** The schema's introspection list sizes: types, and fields per type etc. on average (their totals are exact). */
const introspectionSizes = new WeakMap<GraphQLSchema, Record<string, number>>();

function introspectionSizesOf(schema: GraphQLSchema): Record<string, number> {
  let sizes = introspectionSizes.get(schema);
  if (sizes) return sizes;
  const types = Object.values(schema.getTypeMap());
  let fields = 0;
  let args = 0;
  let inputFields = 0;
  let enumValues = 0;
  let interfaces = 0;
  let possibleTypes = 0;
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const own = Object.values(type.getFields());
      fields += own.length;
      for (const field of own) args += field.args.length;
      interfaces += type.getInterfaces().length;
    }
    if ("getValues" in type) enumValues += type.getValues().length;
    if ("getFields" in type && !isObjectType(type) && !isInterfaceType(type)) {
      inputFields += Object.keys(type.getFields()).length;
    }
    if (isCompositeType(type) && !isObjectType(type)) possibleTypes += schema.getPossibleTypes(type).length;
  }
  // A type reference's ofType chain is as long as its wrappers ([X!]! has 3): deeper ofType is always null.
  let wrappers = 0;
  const wrapOf = (type: unknown) => {
    let n = 0;
    for (let t = type as { ofType?: unknown }; t && "ofType" in t && t.ofType; t = t.ofType as { ofType?: unknown })
      n++;
    if (n > wrappers) wrappers = n;
  };
  for (const type of types) {
    if ("getFields" in type) {
      for (const field of Object.values(type.getFields()) as { type: unknown; args?: readonly { type: unknown }[] }[]) {
        wrapOf(field.type);
        for (const arg of field.args ?? []) wrapOf(arg.type);
      }
    }
  }
  for (const directive of schema.getDirectives()) for (const arg of directive.args) wrapOf(arg.type);
  const per = (total: number) => Math.max(1, Math.ceil(total / Math.max(1, types.length)));
  sizes = {
    "__Schema.types": types.length,
    "__Schema.directives": schema.getDirectives().length,
    "__Type.fields": per(fields),
    "__Type.inputFields": per(inputFields),
    "__Type.enumValues": per(enumValues),
    "__Type.interfaces": per(interfaces),
    "__Type.possibleTypes": per(possibleTypes),
    "__Field.args": Math.max(1, Math.ceil(args / Math.max(1, fields))),
    wrappers,
    "__Directive.args": Math.max(
      1,
      Math.ceil(schema.getDirectives().reduce((n, d) => n + d.args.length, 0) / schema.getDirectives().length),
    ),
  };
  introspectionSizes.set(schema, sizes);
  return sizes;
}

function isConnectionField(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return isObjectType(type) && "pageInfo" in type.getFields() && field.args.some((a) => a.name === "first");
}

/**
 * What `operation` can cost, with its variables' values: see OperationCost.
 * Fragments are priced once per (fragment, type, page), so a document of
 * fragments spreading fragments costs its size to price, not its expansion.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  options: CostOptions,
): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, ValueNode | undefined>();
  for (const v of operation.variableDefinitions ?? []) defaults.set(v.variable.name.value, v.defaultValue);
  const sizes = introspectionSizesOf(schema);
  const names = new Set<string>();
  let pageError: string | undefined;

  const argValue = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.NULL) return null;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      return name in options.variables ? options.variables[name] : argValue(defaults.get(name));
    }
    return undefined;
  };
  const pageOf = (selection: { arguments?: readonly { name: { value: string }; value: ValueNode }[] }) => {
    let page: number | undefined;
    for (const arg of selection.arguments ?? []) {
      const name = arg.name.value;
      if (name !== "first" && name !== "last") continue;
      const value = argValue(arg.value);
      if (typeof value !== "number") continue;
      if (value > options.maxPage) {
        pageError ??= `${name}: ${value} asks for more than ${options.maxPage} rows at once; page through them (first: and after:)`;
      }
      page = Math.max(page ?? 0, Math.min(value, options.maxPage));
    }
    return page ?? options.defaultPage;
  };

  const memo = new Map<string, number>();
  // The cost of reading `selectionSet` once on an object of `type`; `page` is the page of the connection it belongs to.
  const costOf = (
    selectionSet: SelectionSetNode,
    type: GraphQLNamedType,
    page: number,
    seen: ReadonlySet<string>,
    wrap = 0,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        names.add(name);
        total += 1;
        if (!selection.selectionSet) continue;
        const field =
          name === "__schema"
            ? schema.getQueryType()?.getFields().__schema
            : name === "__type"
              ? undefined
              : "getFields" in type && (isObjectType(type) || isInterfaceType(type))
                ? type.getFields()[name]
                : undefined;
        let childType: GraphQLNamedType | undefined;
        let repeat = 1;
        let childPage = options.defaultPage;
        let childWrap = 0;
        if (type.name === "__Type" && name === "ofType") {
          childWrap = wrap + 1;
          if (childWrap > (sizes.wrappers ?? 0)) repeat = 0;
        }
        if (name === "__schema") childType = schema.getType("__Schema") ?? undefined;
        else if (name === "__type") childType = schema.getType("__Type") ?? undefined;
        else if (field) {
          childType = getNamedType(field.type);
          if (isConnectionField(field)) {
            childPage = pageOf(selection);
          } else if (isListType(getNullableType(field.type))) {
            const introspected = sizes[`${type.name}.${name}`];
            repeat =
              introspected ??
              ((name === "nodes" || name === "edges") && "pageInfo" in (type as { getFields(): object }).getFields()
                ? page
                : options.defaultPage);
          }
        }
        if (!childType) continue; // unknown fields are refused by validation
        if (repeat > 0) total += repeat * costOf(selection.selectionSet, childType, childPage, seen, childWrap);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        total += costOf(selection.selectionSet, on ?? type, page, seen, wrap);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        const key = `${name}|${on.name}|${page}|${wrap}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          cost = costOf(fragment.selectionSet, on, page, new Set([...seen, name]), wrap);
          memo.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const root =
    operation.operation === "mutation"
      ? schema.getMutationType()
      : operation.operation === "subscription"
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const cost = root ? costOf(operation.selectionSet, root, options.defaultPage, new Set()) : 0;
  return { cost, ...(pageError ? { pageError } : {}), fields: [...names] };
}
