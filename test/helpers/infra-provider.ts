// A real HTTP infrastructure provider speaking EVA's teardown contract
// (src/orchestration/sagas/infra-provider.ts): DELETE /resources/<id> and
// POST /resources/<id>/archive. It records every request, answers 500 for the
// ids told to fail, and can hold a request open (the worker dies mid-call).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProviderRequest {
  method: string;
  id: string;
  action: string | null;
  idempotencyKey: string | undefined;
  at: number;
}

export interface FakeProvider {
  baseURL: string;
  requests: ProviderRequest[];
  /** Ids that answer 500 until removed. */
  failing: Set<string>;
  /** Ids whose next request is held open (never answered). */
  hang: Set<string>;
  /** Successful teardowns per id. */
  done(id: string): number;
  close(): Promise<void>;
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const requests: ProviderRequest[] = [];
  const failing = new Set<string>();
  const hang = new Set<string>();
  const held: ServerResponse[] = [];
  const succeeded = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/resources\/([^/]+)(?:\/(archive))?$/.exec(req.url ?? "");
    if (!match?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const id = decodeURIComponent(match[1]);
    const action = match[2] ?? null;
    const key = req.headers["idempotency-key"];
    requests.push({
      method: req.method ?? "",
      id,
      action,
      idempotencyKey: Array.isArray(key) ? key[0] : key,
      at: Date.now(),
    });
    if (hang.has(id)) {
      hang.delete(id);
      held.push(res);
      return;
    }
    if (failing.has(id)) {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: `cannot remove ${id} now` }));
      return;
    }
    succeeded.set(id, (succeeded.get(id) ?? 0) + 1);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, status: action ?? "deleted" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    failing,
    hang,
    done: (id) => succeeded.get(id) ?? 0,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
