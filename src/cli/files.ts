// File inputs of the eva commands (--file): capped like the API's request body,
// UTF-8 or refused, and never echoed — a refusal names the flag, the file and
// the position, not the text (the file may be anything the caller can read).
import { closeSync, openSync, readSync } from "node:fs";
import { UserError } from "./output.ts";

/** Largest file a --file option reads, in bytes: the API's request body limit (MAX_REQUEST_BYTES). */
export const MAX_FILE_BYTES = 100_000;

/** Line and column (from 1) of a character offset in `text`. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/** Byte offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const [length, min, max] =
      b < 0x80
        ? [1, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [2, 0x80, 0xbf]
          : b === 0xe0
            ? [3, 0xa0, 0xbf]
            : b === 0xed
              ? [3, 0x80, 0x9f]
              : b >= 0xe1 && b <= 0xef
                ? [3, 0x80, 0xbf]
                : b === 0xf0
                  ? [4, 0x90, 0xbf]
                  : b === 0xf4
                    ? [4, 0x80, 0x8f]
                    : b >= 0xf1 && b <= 0xf3
                      ? [4, 0x80, 0xbf]
                      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * The text of the file a --file option names: at most MAX_FILE_BYTES (read no
 * further, so a device or a huge file costs nothing), valid UTF-8 (a leading
 * BOM dropped), without NUL characters. Refusals are usage errors (exit 2).
 */
export function readInputFile(flag: string, path: string, maxBytes = MAX_FILE_BYTES): string {
  const where = `${flag} ${path}`;
  const buffer = Buffer.alloc(maxBytes + 1);
  let size = 0;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new UserError(`${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, 2);
  }
  try {
    for (;;) {
      const n = readSync(fd, buffer, size, buffer.length - size, null);
      if (n === 0) break;
      size += n;
      if (size > maxBytes) {
        throw new UserError(
          `${where}: larger than ${maxBytes.toLocaleString("en-US")} bytes, the most a file input may hold`,
          2,
        );
      }
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${where}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, 2);
  } finally {
    closeSync(fd);
  }
  const bytes = buffer.subarray(0, size);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new UserError(`${where}: not valid UTF-8 (line ${line}, byte ${at + 1}); save the file as UTF-8`, 2);
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) throw new UserError(`${where}: holds a NUL character at ${lineColumn(text, nul)}`, 2);
  return text;
}

/** Why and where `text` stops being JSON (offset of the first error), without quoting it. */
function jsonSyntaxError(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const value = (): void => {
    space();
    const ch = text[i];
    if (ch === undefined) fail("the JSON ends early");
    if (ch === "{") {
      i++;
      space();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail("a property name (in double quotes) was expected");
        string();
        space();
        if (text[i] !== ":") fail("':' was expected after a property name");
        i++;
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(i >= text.length ? "the JSON ends early" : "',' or '}' was expected");
      }
    }
    if (ch === "[") {
      i++;
      space();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(i >= text.length ? "the JSON ends early" : "',' or ']' was expected");
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (number) {
      i += number[0].length;
      return;
    }
    fail("a JSON value was expected");
  };
  const string = () => {
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined) fail("a string is not closed");
      if (ch === '"') {
        i++;
        return;
      }
      if ((ch as string) < " ") fail("a control character inside a string");
      if (ch === "\\") {
        const next = text[i + 1];
        if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail("a bad escape inside a string");
      } else i++;
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail("more text after the JSON value");
  } catch (error) {
    if (typeof error === "object" && error !== null && "offset" in error)
      return error as { offset: number; reason: string };
    throw error;
  }
  return { offset: i, reason: "not valid JSON" };
}

/** Where in a parsed JSON value a string holds NUL ("\u0000", which PostgreSQL cannot store): "name", "keyAssumptions[1]". */
export function nulField(value: unknown, at = ""): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? at || "(the value)" : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulField(item, `${at}[${i}]`);
      if (found) return found;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const field = at ? `${at}.${key}` : key;
      if (key.includes("\u0000")) return at || "(a field name)";
      const found = nulField(item, field);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * JSON.parse of a --file's text; a syntax error names the file and the
 * position, never the text; a string holding NUL ("\u0000") is refused with
 * its field named.
 */
export function parseJsonFile(flag: string, path: string, text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const { offset, reason } = jsonSyntaxError(text);
    throw new UserError(`${flag} ${path}: not valid JSON at ${lineColumn(text, offset)}: ${reason}`, 2);
  }
  const field = nulField(parsed);
  if (field)
    throw new UserError(`${flag} ${path}: ${field} holds a NUL character (\\u0000), which EVA does not store`, 2);
  return parsed;
}
