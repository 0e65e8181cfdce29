// What a GraphQL read costs before PostgreSQL is asked anything: the queue
// benches print these beside their GraphQL rows, so that a reader can see how
// much of GraphQL's time over direct SQL is the engine itself.
//   engine: grafast (PostGraphile's executor) producing the same list, the
//     same field names, shapes and values (a response the real API gave), from
//     memory: no database, no HTTP, output as a string as the server makes it.
//   HTTP: `{ __typename }` to the running API with the same token: the request,
//     its authentication and the response, with no plan step that reads the
//     database.
import { constant, execute, lambda, makeGrafastSchema } from "grafast";
import { type GraphQLScalarType, parse } from "graphql";

type Node = Record<string, unknown>;

/** GraphQL type definitions and a selection for `nodes`' shape: nested objects become object types, anything else a scalar. */
function shapeOf(node: Node): { typeDefs: string[]; selection: string } {
  const typeDefs: string[] = [];
  let count = 0;
  const walk = (value: Node): { type: string; selection: string } => {
    const type = `Row${count++}`;
    const fields: string[] = [];
    const selected: string[] = [];
    for (const [key, field] of Object.entries(value)) {
      if (field !== null && typeof field === "object" && !Array.isArray(field)) {
        const inner = walk(field as Node);
        fields.push(`${key}: ${inner.type}`);
        selected.push(`${key} { ${inner.selection} }`);
      } else {
        fields.push(`${key}: Value`);
        selected.push(key);
      }
    }
    typeDefs.push(`type ${type} { ${fields.join(" ")} }`);
    return { type, selection: selected.join(" ") };
  };
  const root = walk(node);
  typeDefs.push(`type Query { nodes: [${root.type}!]! }`);
  return { typeDefs, selection: `{ nodes { ${root.selection} } }` };
}

/**
 * A read of `nodes` (a real response's rows) by grafast from memory, checked once
 * here against the rows it was given; the bench times its calls.
 */
export async function engineRead(nodes: readonly Node[]): Promise<() => Promise<string>> {
  const first = nodes[0];
  if (!first) throw new Error("no rows to measure the GraphQL engine with");
  const { typeDefs, selection } = shapeOf(first);
  const schema = makeGrafastSchema({
    typeDefs: `scalar Value\n${typeDefs.join("\n")}`,
    scalars: {
      Value: {
        serialize: (v: unknown) => v,
        parseValue: (v: unknown) => v,
        parseLiteral: () => null,
      } as Partial<GraphQLScalarType>,
    },
    objects: { Query: { plans: { nodes: () => lambda(constant(0), () => nodes) } } },
  });
  const document = parse(selection);
  const read = async () => {
    const result = (await execute({ schema, document, outputDataAsString: true })) as { data?: unknown };
    if (typeof result.data !== "string") throw new Error("the GraphQL engine gave no data");
    return result.data;
  };
  const output = JSON.parse(await read()) as { nodes: Node[] };
  if (JSON.stringify(output.nodes) !== JSON.stringify(nodes)) {
    throw new Error("the GraphQL engine's output is not the rows it was given");
  }
  return read;
}

/** A `{ __typename }` request to `endpoint` with `token`; the bench times its calls. */
export function httpRead(endpoint: string, token: string, signal: AbortSignal): () => Promise<void> {
  const body = JSON.stringify({ query: "{ __typename }" });
  return async () => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body,
      signal,
    });
    const parsed = (await response.json()) as { data?: { __typename?: string } };
    if (parsed.data?.__typename !== "Query") throw new Error(`{ __typename } failed (HTTP ${response.status})`);
  };
}
