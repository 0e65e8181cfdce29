// The brand overlay (spec §17.2): sharp composites the venture's template onto
// a base image, deterministically — the base fitted to the template's canvas,
// a watermark, the logo inside its exact box, the CTA button (box, colours,
// text) and the legal text at its position. Same inputs, same pixels.
import sharp, { type OverlayOptions } from "sharp";

export interface BrandTemplate {
  id: string;
  ventureId: string;
  version: number;
  canvas: { width: number; height: number };
  logo: { assetId: string; x: number; y: number; w: number; h: number } | null;
  cta: { text: string; x: number; y: number; w: number; h: number; bg: string; fg: string } | null;
  legal: { text: string; x: number; y: number; size: number; color: string } | null;
  watermark: { text: string; opacity: number } | null;
  createdBy: string;
  createdAt: string;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");

function ctaSvg(c: NonNullable<BrandTemplate["cta"]>): Buffer {
  const r = Math.min(Math.floor(c.h / 4), 12);
  const size = Math.max(8, Math.min(Math.floor(c.h * 0.45), Math.floor((c.w * 1.6) / Math.max(c.text.length, 1))));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${c.w}" height="${c.h}">` +
      `<rect x="0" y="0" width="${c.w}" height="${c.h}" rx="${r}" ry="${r}" fill="${c.bg}"/>` +
      `<text x="${c.w / 2}" y="${c.h / 2}" dominant-baseline="central" text-anchor="middle" font-family="sans-serif" ` +
      `font-weight="bold" font-size="${size}" fill="${c.fg}">${esc(c.text)}</text></svg>`,
  );
}

function legalSvg(l: NonNullable<BrandTemplate["legal"]>, canvas: BrandTemplate["canvas"]): Buffer {
  const w = canvas.width - l.x;
  const h = Math.min(canvas.height - l.y, Math.ceil(l.size * 1.4));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
      `<text x="0" y="${Math.round(l.size)}" font-family="sans-serif" font-size="${l.size}" fill="${l.color}">${esc(l.text)}</text></svg>`,
  );
}

function watermarkSvg(wm: NonNullable<BrandTemplate["watermark"]>, canvas: BrandTemplate["canvas"]): Buffer {
  const size = Math.round(Math.min(canvas.width, canvas.height) / 8);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas.width}" height="${canvas.height}">` +
      `<text x="${canvas.width / 2}" y="${canvas.height / 2}" text-anchor="middle" dominant-baseline="central" ` +
      `font-family="sans-serif" font-size="${size}" fill="#ffffff" fill-opacity="${wm.opacity}" ` +
      `transform="rotate(-30 ${canvas.width / 2} ${canvas.height / 2})">${esc(wm.text)}</text></svg>`,
  );
}

/** The base image with the template applied, as PNG at the template's canvas size. */
export async function applyBrandOverlay(
  base: Uint8Array,
  template: BrandTemplate,
  logo: Uint8Array | null,
): Promise<Buffer> {
  const { width, height } = template.canvas;
  const layers: OverlayOptions[] = [];
  if (template.watermark) layers.push({ input: watermarkSvg(template.watermark, template.canvas), left: 0, top: 0 });
  if (template.logo) {
    if (!logo) throw new Error(`the template's logo asset ${template.logo.assetId} is missing from the asset store`);
    const { w, h, x, y } = template.logo;
    const fitted = await sharp(logo)
      .resize(w, h, { fit: "contain", background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    layers.push({ input: fitted, left: x, top: y });
  }
  if (template.cta) layers.push({ input: ctaSvg(template.cta), left: template.cta.x, top: template.cta.y });
  if (template.legal)
    layers.push({ input: legalSvg(template.legal, template.canvas), left: template.legal.x, top: template.legal.y });
  return sharp(base)
    .resize(width, height, { fit: "cover", position: "centre" })
    .composite(layers)
    .png({ compressionLevel: 9 })
    .toBuffer();
}
