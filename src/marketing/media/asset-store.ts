// The asset store (spec §17.2): files addressed by their sha256 in a local
// folder (EVA_ASSET_DIR, default .eva/assets), recorded per venture in
// marketing.assets through marketing.fn_record_asset. The same bytes are one
// file and, per venture, one row.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import sharp from "sharp";
import type { Database } from "../../db/client.ts";
import { projectRoot } from "../../db/connection.ts";

export type AssetKind = "image" | "video" | "logo" | "reference";

export interface AssetRow {
  id: string;
  ventureId: string;
  sha256: string;
  kind: AssetKind;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
  provider: string;
  model: string | null;
  simulation: boolean;
  label: "fact" | "simulation";
  variantId: string | null;
  derivedFrom: string | null;
  templateId: string | null;
  generationId: string | null;
  provenance: Record<string, unknown>;
  createdAt: string;
}

export function assetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVA_ASSET_DIR || join(projectRoot, ".eva", "assets");
}

export const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A content-addressed folder: <dir>/<sha[0:2]>/<sha>. */
export class AssetStore {
  readonly dir: string;
  constructor(dir: string = assetDir()) {
    this.dir = dir;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Writes the bytes once (a temporary file renamed into place); `created` is false when they were there. */
  async put(bytes: Uint8Array): Promise<{ sha256: string; path: string; created: boolean }> {
    const sha256 = sha256Of(bytes);
    const path = this.pathOf(sha256);
    try {
      const s = await stat(path);
      if (s.size === bytes.byteLength) return { sha256, path, created: false };
    } catch {
      // not there yet
    }
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return { sha256, path, created: true };
  }

  async get(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }
}

export interface NewAsset {
  ventureId: string;
  bytes: Uint8Array;
  kind: AssetKind;
  /** Read from the bytes for images when absent. */
  mime?: string;
  provider: string;
  model?: string | null;
  simulation?: boolean;
  variantId?: string | null;
  derivedFrom?: string | null;
  templateId?: string | null;
  generationId?: string | null;
  provenance?: Record<string, unknown>;
}

const IMAGE_MIME: Record<string, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  svg: "image/svg+xml",
  avif: "image/avif",
};

/** What an image's bytes are (format and size), or null when sharp cannot read them. */
export async function imageInfo(bytes: Uint8Array): Promise<{ mime: string; width: number; height: number } | null> {
  try {
    const m = await sharp(bytes).metadata();
    if (!m.format || !m.width || !m.height) return null;
    return { mime: IMAGE_MIME[m.format] ?? `image/${m.format}`, width: m.width, height: m.height };
  } catch {
    return null;
  }
}

type Row = {
  id: string;
  venture_id: string;
  sha256: string;
  kind: AssetKind;
  mime: string;
  bytes: string | number;
  width: number | null;
  height: number | null;
  provider: string;
  model: string | null;
  simulation: boolean;
  label: "fact" | "simulation";
  variant_id: string | null;
  derived_from: string | null;
  template_id: string | null;
  generation_id: string | null;
  provenance: Record<string, unknown>;
  created_at: Date;
};

export function assetFromRow(r: Row): AssetRow {
  return {
    id: r.id,
    ventureId: r.venture_id,
    sha256: r.sha256,
    kind: r.kind,
    mime: r.mime,
    bytes: Number(r.bytes),
    width: r.width,
    height: r.height,
    provider: r.provider,
    model: r.model,
    simulation: r.simulation,
    label: r.label,
    variantId: r.variant_id,
    derivedFrom: r.derived_from,
    templateId: r.template_id,
    generationId: r.generation_id,
    provenance: r.provenance,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Stores the bytes and records the asset (the same bytes again: the venture's existing asset). */
export async function storeAsset(db: Database, store: AssetStore, a: NewAsset): Promise<AssetRow> {
  const info = a.kind === "video" ? null : await imageInfo(a.bytes);
  const mime = a.mime ?? info?.mime;
  if (!mime) throw new Error("the asset's type is unknown: give its mime type");
  const { sha256 } = await store.put(a.bytes);
  const { rows } = await sql<Row>`
    select * from marketing.fn_record_asset(${a.ventureId}::uuid, ${sha256}, ${a.kind}, ${mime}, ${a.bytes.byteLength},
      ${info?.width ?? null}::int, ${info?.height ?? null}::int, ${a.provider}, ${a.model ?? null}, ${a.simulation ?? false},
      ${a.variantId ?? null}::uuid, ${a.derivedFrom ?? null}::uuid, ${a.templateId ?? null}::uuid,
      ${a.generationId ?? null}::uuid, ${JSON.stringify(a.provenance ?? {})}::jsonb)`.execute(db);
  return assetFromRow(rows[0] as Row);
}

/** A venture's assets, newest first (any reader role). */
export async function listAssets(
  db: Database,
  ventureId: string,
  options: { kind?: AssetKind; limit?: number } = {},
): Promise<AssetRow[]> {
  const { rows } = await sql<Row>`
    select * from marketing.assets where venture_id = ${ventureId}::uuid
      and (${options.kind ?? null}::text is null or kind = ${options.kind ?? null})
    order by created_at desc, id limit ${options.limit ?? 200}`.execute(db);
  return rows.map(assetFromRow);
}
