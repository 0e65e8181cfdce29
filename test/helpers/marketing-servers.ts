// Local HTTP servers speaking the parts of Resend's and PostHog's APIs EVA
// calls: Resend's POST /emails (Bearer key, Idempotency-Key: a repeated key
// answers the first send's id and sends nothing new) and PostHog's capture
// endpoints (POST /batch/ and /i/v0/e/, JSON or gzip). Every request is recorded.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let raw = Buffer.concat(chunks);
  if (req.headers["content-encoding"] === "gzip" || (raw[0] === 0x1f && raw[1] === 0x8b)) raw = gunzipSync(raw);
  const text = raw.toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export interface LocalResend {
  url: string;
  requests: Recorded[];
  /** Emails actually "sent" (a repeated Idempotency-Key is not a new email). */
  sent: Recorded[];
  /** The next sends answer this status (e.g. 422), then normal service resumes. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

export async function startLocalResend(apiKey: string): Promise<LocalResend> {
  const requests: Recorded[] = [];
  const sent: Recorded[] = [];
  const byKey = new Map<string, string>();
  let failing: { status: number; times: number } | null = null;
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const r: Recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
    requests.push(r);
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return json(401, { statusCode: 401, name: "missing_api_key", message: "Missing API key" });
    if (req.method !== "POST" || req.url !== "/emails")
      return json(404, { statusCode: 404, name: "not_found", message: "Not found" });
    if (failing && failing.times > 0) {
      failing.times -= 1;
      return json(failing.status, {
        statusCode: failing.status,
        name: "validation_error",
        message: "refused by the test",
      });
    }
    const key = String(req.headers["idempotency-key"] ?? "");
    const known = key ? byKey.get(key) : undefined;
    if (known) return json(200, { id: known });
    const id = randomUUID();
    if (key) byKey.set(key, id);
    sent.push(r);
    return json(200, { id });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sent,
    failNext(status, times = 1) {
      failing = { status, times };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LocalPostHog {
  url: string;
  /** Captured events (each batch's entries). */
  events: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startLocalPostHog(): Promise<LocalPostHog> {
  const events: Record<string, unknown>[] = [];
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "POST" && (path === "/batch/" || path === "/i/v0/e/" || path === "/capture/")) {
      const batch = Array.isArray(body.batch) ? (body.batch as Record<string, unknown>[]) : [body];
      for (const e of batch) events.push({ ...e, api_key: body.api_key ?? e.api_key });
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":1}');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
