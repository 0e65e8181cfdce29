// The archive store: cold storage for what EVA moves out of the live
// database (a retired venture's export and records, old event-log
// partitions). A folder of files, each written once under a key and
// recorded by the caller with its SHA-256, so an archive can be checked
// before it is trusted. EVA_ARCHIVE_DIR sets the folder (default
// .eva/archive in the project); point it at mounted cold storage in
// production.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { projectRoot } from "../db/connection.ts";

export interface ArchiveRef {
  /** Where the archive is: a file:// URL of the stored file. */
  uri: string;
  /** The key it was written under (a relative path inside the store). */
  key: string;
  sha256: string;
  bytes: number;
}

export class ArchiveError extends Error {
  override name = "ArchiveError";
}

/** The store's folder: EVA_ARCHIVE_DIR, else .eva/archive in the project. */
export function archiveDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.EVA_ARCHIVE_DIR || join(projectRoot, ".eva", "archive"));
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The file for a key; refuses keys that would leave the store. */
function pathFor(dir: string, key: string): string {
  const clean = normalize(key);
  if (!key || isAbsolute(key) || clean.startsWith("..") || clean.split(sep).includes("..")) {
    throw new ArchiveError(`archive key "${key}" must be a relative path inside the store`);
  }
  return join(dir, clean);
}

/**
 * Writes `content` under `key`, once: a second write of the same bytes returns
 * the same reference (so a retried step is idempotent); different bytes under
 * an existing key are refused, never overwritten. The file appears whole or
 * not at all (written beside it, then renamed).
 */
export async function writeArchive(
  key: string,
  content: Buffer | string,
  options: { dir?: string } = {},
): Promise<ArchiveRef> {
  const dir = options.dir ?? archiveDir();
  const file = pathFor(dir, key);
  const data = typeof content === "string" ? Buffer.from(content) : content;
  const digest = sha256(data);
  const existing = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (existing) {
    if (sha256(existing) !== digest) {
      throw new ArchiveError(`archive "${key}" exists with other content; archives are written once`);
    }
  } else {
    await mkdir(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, data, { flag: "w", mode: 0o640 });
    await rename(partial, file);
  }
  return { uri: `file://${file}`, key, sha256: digest, bytes: data.length };
}

/** Reads an archive back, refusing it when its bytes no longer match the recorded checksum. */
export async function readArchive(ref: Pick<ArchiveRef, "uri" | "sha256">): Promise<Buffer> {
  if (!ref.uri.startsWith("file://")) throw new ArchiveError(`unsupported archive location ${ref.uri}`);
  const file = ref.uri.slice("file://".length);
  const data = await readFile(file);
  const digest = sha256(data);
  if (digest !== ref.sha256) {
    throw new ArchiveError(`archive ${file} fails its checksum (sha256 ${digest}, recorded ${ref.sha256})`);
  }
  return data;
}

/** Whether an archive is still there, whole. */
export async function archiveIntact(ref: Pick<ArchiveRef, "uri" | "sha256">): Promise<boolean> {
  try {
    if (!(await stat(ref.uri.slice("file://".length))).isFile()) return false;
    await readArchive(ref);
    return true;
  } catch {
    return false;
  }
}
