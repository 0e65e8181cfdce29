// The infrastructure provider contract the retirement saga's teardown speaks
// (README "Sagas"): a small REST API at a base URL (a resource's provider_url,
// else EVA_INFRA_API_URL).
//   DELETE <base>/resources/<external_id>          tear the resource down
//   POST   <base>/resources/<external_id>/archive  archive it (repositories)
// Both carry `Idempotency-Key: <saga>:<resource>` (the same on every retry, so
// a provider can tell a repeat from a new request) and `X-EVA-Venture`.
// 2xx means done; 404 means it is already gone (done); anything else, or no
// answer within EVA_INFRA_TIMEOUT_MS (default 30 s), is a failure.

export interface InfraResource {
  id: string;
  venture_id: string;
  kind: string;
  name: string;
  provider: string | null;
  provider_url: string | null;
  external_id: string;
  depends_on: string[];
  status: string;
}

export interface ProviderAnswer {
  ok: boolean;
  status: number;
  body: string;
  url: string;
}

/** The provider base URL for a resource, or null when none is configured. */
export function providerBase(resource: InfraResource, env: NodeJS.ProcessEnv = process.env): string | null {
  const base = resource.provider_url || env.EVA_INFRA_API_URL || "";
  return base ? base.replace(/\/+$/, "") : null;
}

export async function callProvider(
  method: "DELETE" | "POST",
  base: string,
  resource: InfraResource,
  idempotencyKey: string,
  options: { action?: "archive"; env?: NodeJS.ProcessEnv } = {},
): Promise<ProviderAnswer> {
  const env = options.env ?? process.env;
  const url = `${base}/resources/${encodeURIComponent(resource.external_id)}${options.action ? `/${options.action}` : ""}`;
  const timeout = Number(env.EVA_INFRA_TIMEOUT_MS ?? 30_000);
  const response = await fetch(url, {
    method,
    headers: {
      "idempotency-key": idempotencyKey,
      "x-eva-venture": resource.venture_id,
      "x-eva-resource-kind": resource.kind,
      accept: "application/json",
    },
    signal: AbortSignal.timeout(timeout),
  });
  const body = (await response.text()).slice(0, 500);
  return { ok: response.ok || response.status === 404, status: response.status, body, url };
}

/**
 * Reverse dependency order: a resource is torn down before everything it
 * depends on (the app before its database, the DNS record before the app).
 * Throws on an unknown dependency or a cycle: the order would be a guess.
 */
export function teardownOrder(resources: InfraResource[]): InfraResource[] {
  const byName = new Map(resources.map((r) => [r.name, r]));
  for (const r of resources) {
    for (const d of r.depends_on) {
      if (!byName.has(d)) throw new Error(`resource ${r.name} depends on ${d}, which is not in the inventory`);
    }
  }
  // Dependencies first (a topological order), then reversed.
  const order: InfraResource[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (r: InfraResource, path: string[]) => {
    const s = state.get(r.name);
    if (s === "done") return;
    if (s === "visiting")
      throw new Error(`the inventory's dependencies form a cycle: ${[...path, r.name].join(" → ")}`);
    state.set(r.name, "visiting");
    for (const d of [...r.depends_on].sort()) visit(byName.get(d) as InfraResource, [...path, r.name]);
    state.set(r.name, "done");
    order.push(r);
  };
  for (const r of [...resources].sort((a, b) => a.name.localeCompare(b.name))) visit(r, []);
  return order.reverse();
}
