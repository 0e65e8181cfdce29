// Measured venture metrics: reading a CSV or JSON file of observations into the
// rows eva.fn_record_venture_metrics takes (each bad row named by its line or
// index before anything is sent), recording them, and reading their history
// per ops cycle (eva.venture_metric_history).
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { AARRR, type AarrrStage, aarrrCategoryFor } from "../stages/stage-24.ts";

/**
 * One observation as eva.fn_record_venture_metrics takes it. Without a category, recordVentureMetrics
 * gives it the one its series already has, else the one its name suggests.
 */
export interface MetricInput {
  category?: AarrrStage;
  name: string;
  value: number;
  observedAt?: string;
  source: string;
  sourceRef?: string;
  criterionRef?: string;
}

export interface RecordedMetric {
  id: number;
  category: AarrrStage;
  name: string;
  value: number;
  observedAt: Date;
  source: string;
  sourceRef: string | null;
  criterionRef: string | null;
  recordedAt: Date;
  recordedBy: string;
}

export interface MetricHistoryRow {
  category: AarrrStage;
  metric: string;
  opsCycle: number;
  cycleScored: boolean;
  value: number;
  observedAt: Date;
  source: string;
  observations: number;
  previousCycle: number | null;
  previousValue: number | null;
  change: number | null;
  changePct: number | null;
}

export const DEFAULT_RECORD_SOURCE = "manual (eva metrics record)";
export const FIELDS = ["category", "name", "value", "observedAt", "source", "sourceRef", "criterionRef"] as const;

/** A file's rows, or the problems of its bad rows, each named by where it is in the file. */
export type ParsedMetrics =
  | { ok: true; rows: MetricInput[] /** Where each row is in the file ("line 3", "index 2"). */; where: string[] }
  | { ok: false; problems: string[] };

/** A number as people write it in a file: "31.5", "-2", "1e3"; not "", "12%", "1,000". */
function numberFrom(raw: string): number | undefined {
  const t = raw.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * One row's fields (strings from a CSV, anything from JSON) → a MetricInput, or what is wrong
 * with it. The category may be left out (see MetricInput). The source defaults to the file's.
 */
export function metricFromFields(
  fields: Record<string, unknown>,
  defaults: { source: string },
): { metric?: MetricInput; problems: string[] } {
  const problems: string[] = [];
  for (const key of Object.keys(fields))
    if (!(FIELDS as readonly string[]).includes(key))
      problems.push(`unknown field "${key}" (fields: ${FIELDS.join(", ")})`);
  const str = (v: unknown) => (typeof v === "string" ? v.trim() : v === undefined || v === null ? "" : undefined);
  const name = str(fields.name);
  if (!name) problems.push("name is required");
  else if (name.length > 200) problems.push("name is longer than 200 characters");
  const categoryText = str(fields.category);
  let category: AarrrStage | undefined;
  if (categoryText === undefined || (categoryText && !(AARRR as readonly string[]).includes(categoryText)))
    problems.push(`category must be one of ${AARRR.join(", ")}, not ${JSON.stringify(fields.category)}`);
  else if (categoryText) category = categoryText as AarrrStage;
  const value =
    typeof fields.value === "number" && Number.isFinite(fields.value)
      ? fields.value
      : typeof fields.value === "string"
        ? numberFrom(fields.value)
        : undefined;
  if (value === undefined)
    problems.push(
      `value must be a number, not ${fields.value === undefined ? "missing" : JSON.stringify(fields.value)}`,
    );
  const observedAt = str(fields.observedAt);
  if (observedAt === undefined || (observedAt && Number.isNaN(Date.parse(observedAt))))
    problems.push(
      `observedAt must be a date and time (ISO 8601, e.g. 2026-11-30T09:00:00Z), not ${JSON.stringify(fields.observedAt)}`,
    );
  else if (observedAt && Date.parse(observedAt) > Date.now() + 5 * 60_000)
    problems.push(`observedAt ${observedAt} is in the future: record what was observed`);
  const source = str(fields.source);
  if (source === undefined) problems.push(`source must be text, not ${JSON.stringify(fields.source)}`);
  const sourceRef = str(fields.sourceRef);
  if (sourceRef === undefined) problems.push(`sourceRef must be text, not ${JSON.stringify(fields.sourceRef)}`);
  const criterionRef = str(fields.criterionRef);
  if (criterionRef === undefined)
    problems.push(`criterionRef must be text, not ${JSON.stringify(fields.criterionRef)}`);
  if (problems.length || !name || value === undefined) return { problems };
  return {
    problems,
    metric: {
      ...(category ? { category } : {}),
      name,
      value,
      ...(observedAt ? { observedAt } : {}),
      source: source || defaults.source,
      ...(sourceRef ? { sourceRef } : {}),
      ...(criterionRef ? { criterionRef } : {}),
    },
  };
}

/** Splits one CSV line (RFC 4180 quoting: "a, b" and "" for a quote). */
function csvCells(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  if (quoted) return undefined;
  cells.push(cell);
  return cells;
}

/** A CSV with a header line naming the fields (name and value required; category, observedAt, source, sourceRef, criterionRef optional). */
export function parseMetricsCsv(text: string, defaults: { source: string }): ParsedMetrics {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = csvCells(lines[0] ?? "")?.map((h) => h.trim());
  if (!header || header.every((h) => h === "")) return { ok: false, problems: ["line 1: the header is missing"] };
  const problems: string[] = [];
  // A header that is not ours is not quoted back: the file may be anything (a secret) given by mistake.
  for (const [k, h] of header.entries())
    if (!(FIELDS as readonly string[]).includes(h))
      problems.push(`line 1, column ${k + 1}: not a known column (columns: ${FIELDS.join(", ")})`);
  for (const required of ["name", "value"])
    if (!header.includes(required)) problems.push(`line 1: the header has no "${required}" column`);
  if (problems.length) return { ok: false, problems };
  const rows: MetricInput[] = [];
  const at: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line.trim() === "") continue;
    const where = `line ${i + 1}`;
    const cells = csvCells(line);
    if (!cells) {
      problems.push(`${where}: an unclosed quote`);
      continue;
    }
    if (cells.length !== header.length) {
      problems.push(`${where}: ${cells.length} cells, but the header has ${header.length} columns`);
      continue;
    }
    const { metric, problems: bad } = metricFromFields(
      Object.fromEntries(header.map((h, k) => [h, cells[k] as string])),
      defaults,
    );
    const label = metric?.name ?? cells[header.indexOf("name")]?.trim();
    for (const p of bad) problems.push(`${where}${label ? ` (${JSON.stringify(label)})` : ""}: ${p}`);
    if (metric) {
      rows.push(metric);
      at.push(where);
    }
  }
  if (problems.length) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: ["the file has a header but no rows"] };
  return { ok: true, rows, where: at };
}

/** A JSON array of objects with the fields of MetricInput (category and source optional here). */
export function parseMetricsJson(text: string, defaults: { source: string }): ParsedMetrics {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text.
    return { ok: false, problems: ["not valid JSON"] };
  }
  if (!Array.isArray(data)) return { ok: false, problems: ["the JSON must be an array of metric objects"] };
  if (data.length === 0) return { ok: false, problems: ["the array is empty"] };
  const problems: string[] = [];
  const rows: MetricInput[] = [];
  for (const [i, item] of data.entries()) {
    const where = `index ${i}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(
        `${where}: must be an object, not ${Array.isArray(item) ? "an array" : item === null ? "null" : `a ${typeof item}`}`,
      );
      continue;
    }
    const { metric, problems: bad } = metricFromFields(item as Record<string, unknown>, defaults);
    const name = (item as Record<string, unknown>).name;
    for (const p of bad)
      problems.push(`${where}${typeof name === "string" && name ? ` (${JSON.stringify(name)})` : ""}: ${p}`);
    if (metric) rows.push(metric);
  }
  return problems.length ? { ok: false, problems } : { ok: true, rows, where: rows.map((_, i) => `index ${i}`) };
}

/** A refusal of eva.fn_record_venture_metrics with its "row N" (counted from 1) named by where the row is in the file. */
export function locateRows(message: string, where: string[]): string {
  return message.replace(/\brow (\d+)\b/g, (whole, n: string) => where[Number(n) - 1] ?? whole);
}

/** Records the observations through eva.fn_record_venture_metrics: all of them, or none (the database names each bad row). */
export async function recordVentureMetrics(
  db: Database,
  ventureId: string,
  metrics: MetricInput[],
): Promise<RecordedMetric[]> {
  const unnamed = metrics.filter((m) => !m.category).map((m) => m.name.toLowerCase());
  const known = new Map<string, AarrrStage>();
  if (unnamed.length) {
    const series = await db
      .selectFrom("venture_metrics")
      .select([sql<string>`lower(metric_name)`.as("key"), "category"])
      .distinctOn(sql`lower(metric_name)`)
      .where("venture_id", "=", ventureId)
      .where(sql`lower(metric_name)`, "in", unnamed)
      .orderBy(sql`lower(metric_name)`)
      .orderBy("id")
      .execute();
    for (const s of series) known.set(s.key, s.category as AarrrStage);
  }
  const rows = metrics.map((m) => ({
    ...m,
    category: m.category ?? known.get(m.name.toLowerCase()) ?? aarrrCategoryFor(m.name),
  }));
  const { rows: recorded } = await sql<{
    id: string;
    category: AarrrStage;
    metric_name: string;
    value: string;
    observed_at: Date;
    source: string;
    source_ref: string | null;
    criterion_ref: string | null;
    recorded_at: Date;
    recorded_by: string;
  }>`select * from eva.fn_record_venture_metrics(${ventureId}::uuid, ${JSON.stringify(rows)}::jsonb)`.execute(db);
  return recorded.map((r) => ({
    id: Number(r.id),
    category: r.category,
    name: r.metric_name,
    value: Number(r.value),
    observedAt: r.observed_at,
    source: r.source,
    sourceRef: r.source_ref,
    criterionRef: r.criterion_ref,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
  }));
}

/** A venture's measured metrics per ops cycle, oldest cycle first; one metric (case-insensitive) with `metric`. */
export async function metricHistory(
  db: Database,
  ventureId: string,
  filter: { metric?: string } = {},
): Promise<MetricHistoryRow[]> {
  let query = db
    .selectFrom("venture_metric_history")
    .select([
      "category",
      "metric_name",
      "ops_cycle",
      "cycle_scored",
      "value",
      "observed_at",
      "source",
      "observations",
      "previous_cycle",
      "previous_value",
      "change",
      "change_pct",
    ])
    .where("venture_id", "=", ventureId)
    .orderBy("category")
    .orderBy(sql`lower(metric_name)`)
    .orderBy("ops_cycle");
  if (filter.metric) query = query.where(sql`lower(metric_name)`, "=", filter.metric.trim().toLowerCase());
  const rows = await query.execute();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    category: r.category as AarrrStage,
    metric: String(r.metric_name),
    opsCycle: Number(r.ops_cycle),
    cycleScored: Boolean(r.cycle_scored),
    value: Number(r.value),
    observedAt: r.observed_at as Date,
    source: String(r.source),
    observations: Number(r.observations),
    previousCycle: num(r.previous_cycle),
    previousValue: num(r.previous_value),
    change: num(r.change),
    changePct: num(r.change_pct),
  }));
}
