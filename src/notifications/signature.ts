// Standard Webhooks signatures (https://www.standardwebhooks.com): the
// receiver checks `webhook-signature` = "v1,<base64 HMAC-SHA256 of
// `${id}.${timestamp}.${body}`>" keyed with the secret's bytes, where the
// secret is "whsec_<base64>" (the prefix is optional, as in the spec's libraries).
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "whsec_";

/** The HMAC key a Standard Webhooks secret stands for; refuses a secret that is not base64. */
export function webhookKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (encoded === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded))
    throw new Error(
      'EVA_NOTIFY_SECRET must be "whsec_" followed by base64 (see EVA_NOTIFY_SECRET in the README for a command that makes one)',
    );
  return Buffer.from(encoded, "base64");
}

/** The `webhook-signature` header's value for one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const digest = createHmac("sha256", webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${digest}`;
}

/** The three headers of a signed delivery. */
export function webhookHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signWebhook(secret, id, timestamp, body),
  };
}

/** A receiver's check: one of the header's space-separated v1 signatures matches. */
export function verifyWebhook(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signWebhook(secret, id, Number(timestamp), body).slice(3), "base64");
  return header.split(" ").some((part) => {
    const [version, value] = part.split(",", 2);
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
