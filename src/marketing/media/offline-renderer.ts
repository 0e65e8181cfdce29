// The offline base renderer: a deterministic image made from the prompt alone
// (a gradient and shapes whose colours and places come from the prompt's
// sha256), so the brand overlay runs with no image provider, in tests and the
// demo. Its output is a simulation, never a provider's image: recorded with
// provider "offline", simulation true, label simulation.
import { createHash } from "node:crypto";
import sharp from "sharp";

export const OFFLINE_MODEL = "offline-renderer";
export const SIMULATION_LABEL = "simulation";

export interface RenderedImage {
  bytes: Buffer;
  mime: "image/png";
  width: number;
  height: number;
  model: string;
  simulation: true;
}

const hex = (b: number) => b.toString(16).padStart(2, "0");

export async function renderOffline(prompt: string, width: number, height: number): Promise<RenderedImage> {
  const h = createHash("sha256").update(prompt).digest();
  const colour = (i: number) => `#${hex(h[i] ?? 0)}${hex(h[i + 1] ?? 0)}${hex(h[i + 2] ?? 0)}`;
  const shapes: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    const b = h[6 + i * 5] ?? 0;
    const cx = Math.round(((h[7 + i * 5] ?? 0) / 255) * width);
    const cy = Math.round(((h[8 + i * 5] ?? 0) / 255) * height);
    const r = Math.round((0.05 + ((h[9 + i * 5] ?? 0) / 255) * 0.2) * Math.min(width, height));
    shapes.push(
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour(10 + i * 3)}" fill-opacity="${(0.3 + (b / 255) * 0.4).toFixed(2)}"/>`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour(0)}"/><stop offset="1" stop-color="${colour(3)}"/></linearGradient></defs>
<rect width="${width}" height="${height}" fill="url(#g)"/>${shapes.join("")}</svg>`;
  const bytes = await sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
  return { bytes, mime: "image/png", width, height, model: OFFLINE_MODEL, simulation: true };
}
