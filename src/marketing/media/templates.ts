// Brand templates (spec §17.2): read and written through marketing.fn_set_brand_template.
import { sql } from "kysely";
import type { Database } from "../../db/client.ts";
import type { BrandTemplate } from "./overlay.ts";

export interface TemplateSpec {
  canvas: { width: number; height: number };
  logo?: { asset_id: string; x: number; y: number; w: number; h: number };
  cta?: { text: string; x: number; y: number; w: number; h: number; bg?: string; fg?: string };
  legal?: { text: string; x: number; y: number; size?: number; color?: string };
  watermark?: { text: string; opacity?: number };
}

type Row = {
  id: string;
  venture_id: string;
  version: number;
  canvas_width: number;
  canvas_height: number;
  logo_asset_id: string | null;
  logo_x: number | null;
  logo_y: number | null;
  logo_w: number | null;
  logo_h: number | null;
  cta_text: string | null;
  cta_x: number | null;
  cta_y: number | null;
  cta_w: number | null;
  cta_h: number | null;
  cta_bg: string;
  cta_fg: string;
  legal_text: string | null;
  legal_x: number | null;
  legal_y: number | null;
  legal_size: number;
  legal_color: string;
  watermark_text: string | null;
  watermark_opacity: string | number;
  created_by: string;
  created_at: Date;
};

function fromRow(r: Row): BrandTemplate {
  return {
    id: r.id,
    ventureId: r.venture_id,
    version: r.version,
    canvas: { width: r.canvas_width, height: r.canvas_height },
    logo:
      r.logo_asset_id !== null
        ? { assetId: r.logo_asset_id, x: r.logo_x ?? 0, y: r.logo_y ?? 0, w: r.logo_w ?? 1, h: r.logo_h ?? 1 }
        : null,
    cta:
      r.cta_text !== null
        ? {
            text: r.cta_text,
            x: r.cta_x ?? 0,
            y: r.cta_y ?? 0,
            w: r.cta_w ?? 1,
            h: r.cta_h ?? 1,
            bg: r.cta_bg,
            fg: r.cta_fg,
          }
        : null,
    legal:
      r.legal_text !== null
        ? { text: r.legal_text, x: r.legal_x ?? 0, y: r.legal_y ?? 0, size: r.legal_size, color: r.legal_color }
        : null,
    watermark: r.watermark_text !== null ? { text: r.watermark_text, opacity: Number(r.watermark_opacity) } : null,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function setBrandTemplate(
  db: Database,
  ventureId: string,
  spec: TemplateSpec,
  actor = "chairman",
): Promise<BrandTemplate> {
  const { rows } = await sql<Row>`
    select * from marketing.fn_set_brand_template(${ventureId}::uuid, ${JSON.stringify(spec)}::jsonb, ${actor})`.execute(
    db,
  );
  return fromRow(rows[0] as Row);
}

/** The venture's current template (its latest version), or a given one. */
export async function brandTemplate(
  db: Database,
  ventureId: string,
  templateId?: string | null,
): Promise<BrandTemplate | null> {
  const { rows } = await sql<Row>`
    select * from marketing.brand_templates where venture_id = ${ventureId}::uuid
      and (${templateId ?? null}::uuid is null or id = ${templateId ?? null}::uuid)
    order by version desc limit 1`.execute(db);
  return rows[0] ? fromRow(rows[0]) : null;
}
