// The identity of an analysis request: a sha256 over the prompt and the schema
// name (the cache key, with the model) and the seed derived from it.
import { createHash } from "node:crypto";
import type { Prompt } from "../stages/types.ts";

/** JSON with object keys sorted at every level, so equal values always serialise the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`cannot serialise ${typeof value} as canonical JSON`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** sha256 hex of the canonical JSON of {system, user, schemaName}. */
export function promptHash(prompt: Prompt, schemaName: string): string {
  const text = canonicalJson({ system: prompt.system, user: prompt.user, schemaName });
  return createHash("sha256").update(text).digest("hex");
}

/** An unsigned 32-bit seed from a prompt hash (its first 8 hex digits), for the model and the offline analyst. */
export function seedFromHash(hash: string): number {
  if (!/^[0-9a-f]{8}/.test(hash)) throw new TypeError(`not a hex hash: ${hash}`);
  return Number.parseInt(hash.slice(0, 8), 16);
}
