// A local Standard Webhooks receiver for tests: records every delivery and
// checks its signature with node:crypto (v1,<base64 HMAC-SHA256 of
// "id.timestamp.body">, the secret's bytes after "whsec_"). While it runs,
// EVA_NOTIFY_WEBHOOK_URL and EVA_NOTIFY_SECRET point EVA at it, as `eva worker`
// and `npm start` read them; close() restores them.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Delivery {
  id: string;
  timestamp: string;
  signature: string;
  /** The body as sent. */
  raw: string;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  deliveries: Delivery[];
  /** True when the delivery's signature is the one EVA's secret makes. */
  signedByEva(d: Delivery): boolean;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      deliveries.push({
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        signature: String(req.headers["webhook-signature"]),
        raw,
        body: JSON.parse(raw) as Record<string, unknown>,
      });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const saved = { url: process.env.EVA_NOTIFY_WEBHOOK_URL, secret: process.env.EVA_NOTIFY_SECRET };
  process.env.EVA_NOTIFY_WEBHOOK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  process.env.EVA_NOTIFY_SECRET = secret;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return {
    deliveries,
    signedByEva: (d) =>
      d.signature === `v1,${createHmac("sha256", key).update(`${d.id}.${d.timestamp}.${d.raw}`).digest("base64")}`,
    close: async () => {
      for (const [k, v] of [
        ["EVA_NOTIFY_WEBHOOK_URL", saved.url],
        ["EVA_NOTIFY_SECRET", saved.secret],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
