// One GraphQL request to an EVA API server over HTTP, as a client sends it
// (a bearer token when given), and the answer's JSON.
export interface GraphqlAnswer<D = Record<string, unknown>> {
  data?: D | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function postGraphql<D = Record<string, unknown>>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string | undefined } = {},
): Promise<GraphqlAnswer<D>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  return (await response.json()) as GraphqlAnswer<D>;
}

/** A field of an answer's data (the test fails naming it when it is missing). */
export function field<T>(r: { data?: Record<string, unknown> | null; errors?: unknown }, name: string): T {
  const value = r.data?.[name];
  if (value === undefined || value === null) throw new Error(`no ${name} in ${JSON.stringify(r)}`);
  return value as T;
}
