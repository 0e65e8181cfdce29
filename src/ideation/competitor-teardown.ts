// Stage 0's competitor teardown (spec §16, issue 14 point 1): each competitor
// URL is fetched through the analyst's toolbox (the competitor_teardown
// agent's tool profile decides, at each call, whether it may), its page's
// facts kept apart from what the analysis makes of them; with several URLs a
// gap analysis across them. Fetching happens only when it is switched on
// (EVA_URL_FETCH=on, or `online`); otherwise the analysis sees each URL's name
// only, and the result says so. Labels are honest: what was fetched is `fact`
// (with its source), the model's reading `judgement`, the offline analyst's
// `simulation`, what nobody knows `unknown`.
import { z } from "zod";
import type { Analyst, Provenance, TokenAllowance } from "../llm/types.ts";
import type { Prompt, Rng } from "../stages/types.ts";
import type { FetchedPage } from "../tools/fetch-url.ts";
import { FetchFailed } from "../tools/fetch-url.ts";
import { type Toolbox, ToolRefused } from "../tools/toolbox.ts";

/** What the analysis says of one competitor (the model's or the offline analyst's reading). */
const competitorReading = z.object({
  url: z.string(),
  businessModel: z.string().min(1),
  features: z.array(z.string().min(1)).max(20),
  pricing: z.string().min(1),
  positioning: z.string().min(1),
  workComponents: z.array(z.string().min(1)).max(20),
  /** 0-100: how much of the competitor's work an AI-operated venture could automate. */
  automationPotential: z.number().int().min(0).max(100),
});

export const teardownAnalysisSchema = z.object({
  competitors: z.array(competitorReading).min(1),
  /** Across the competitors: what none (or few) of them does well. Empty for one competitor. */
  gaps: z
    .array(
      z.object({
        gap: z.string().min(1),
        evidence: z.string().min(1),
        missingFrom: z.array(z.string()),
      }),
    )
    .max(12),
  opportunity: z.string().min(1),
});
export type TeardownAnalysis = z.infer<typeof teardownAnalysisSchema>;

export type Label = "fact" | "judgement" | "simulation" | "unknown";

export interface FetchedFacts {
  status: "fetched" | "failed" | "refused" | "not_fetched";
  /** fact when fetched (source: finalUrl at fetchedAt), unknown otherwise. */
  label: "fact" | "unknown";
  source: string | null;
  fetchedAt: string | null;
  title: string | null;
  description: string | null;
  headings: string[];
  /** Price-like strings found on the page, verbatim. */
  pricingMentions: string[];
  bytes: number;
  truncated: boolean;
  /** Why nothing was fetched (offline, refused by the tool policy, the fetch failed). */
  reason: string | null;
}

export interface CompetitorTeardown {
  url: string;
  host: string;
  /** The competitor's name as its URL gives it (what offline analysis is based on). */
  name: string;
  fetched: FetchedFacts;
  analysis: z.infer<typeof competitorReading> & { label: "judgement" | "simulation" };
}

export interface TeardownResult {
  mode: "online" | "offline";
  /** One line on what the analysis was based on (offline: the URLs' names only). */
  basis: string;
  competitors: CompetitorTeardown[];
  /** Across two or more competitors; null for one (with the reason in gapNote). */
  gapAnalysis: { label: "judgement" | "simulation"; gaps: TeardownAnalysis["gaps"]; opportunity: string } | null;
  gapNote: string | null;
  provenance: Provenance;
  usage: { promptTokens: number; completionTokens: number; estimated: boolean };
}

export interface TeardownOptions {
  toolbox: Toolbox;
  /** Fetch the pages (default: EVA_URL_FETCH=on). */
  online?: boolean;
  budget?: TokenAllowance;
  /** Characters of each page's text the analysis is given (default 4,000). */
  excerptChars?: number;
}

/** Whether the environment switches URL fetching on (EVA_URL_FETCH=on; default off). */
export function urlFetchEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.EVA_URL_FETCH?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "off") return false;
  if (value === "on") return true;
  throw new Error(`EVA_URL_FETCH must be on or off, not "${env.EVA_URL_FETCH}"`);
}

const PRICE =
  /(?:[$€£]\s?\d[\d,.]*(?:\s?(?:k|m))?(?:\s?(?:\/|per)\s?(?:mo|month|yr|year|user|seat|team|invoice)\w*)?|\d[\d,.]*\s?(?:USD|EUR|GBP)(?:\s?(?:\/|per)\s?\w+)?|\bfree\s+(?:plan|tier|trial)\b)/gi;

/** Price-like strings of a page's text, verbatim, each once, in page order. */
export function pricingMentions(text: string, max = 10): string[] {
  const out: string[] = [];
  const lower = new Set<string>();
  for (const match of text.matchAll(PRICE)) {
    const value = match[0].trim();
    if (lower.has(value.toLowerCase())) continue;
    lower.add(value.toLowerCase());
    out.push(value);
    if (out.length >= max) break;
  }
  return out;
}

function nameOf(url: string): { host: string; name: string } {
  const host = new URL(url).hostname.replace(/^www\./, "");
  const word =
    host
      .split(".")[0]
      ?.replace(/[^a-z0-9]+/gi, " ")
      .trim() || host;
  return { host, name: word.replace(/\b\w/g, (c) => c.toUpperCase()) };
}

function notFetched(reason: string): FetchedFacts {
  return {
    status: "not_fetched",
    label: "unknown",
    source: null,
    fetchedAt: null,
    title: null,
    description: null,
    headings: [],
    pricingMentions: [],
    bytes: 0,
    truncated: false,
    reason,
  };
}

function factsOf(page: FetchedPage, at: Date): FetchedFacts {
  return {
    status: "fetched",
    label: "fact",
    source: page.finalUrl,
    fetchedAt: at.toISOString(),
    title: page.title,
    description: page.description,
    headings: page.headings,
    pricingMentions: pricingMentions(page.text),
    bytes: page.bytes,
    truncated: page.truncated,
    reason: null,
  };
}

interface Gathered {
  url: string;
  host: string;
  name: string;
  facts: FetchedFacts;
  text: string;
}

async function gather(url: string, options: TeardownOptions, online: boolean): Promise<Gathered> {
  const { host, name } = nameOf(url);
  if (!online) {
    return {
      url,
      host,
      name,
      facts: notFetched("offline: URL fetching is off (EVA_URL_FETCH=on fetches the page); analysed by its name only"),
      text: "",
    };
  }
  try {
    const page = await options.toolbox.fetchUrl(url);
    return { url, host, name, facts: factsOf(page, new Date()), text: page.text };
  } catch (error) {
    if (error instanceof ToolRefused) {
      return { url, host, name, facts: { ...notFetched(error.message), status: "refused" }, text: "" };
    }
    if (error instanceof FetchFailed) {
      return {
        url,
        host,
        name,
        facts: { ...notFetched(`the fetch failed: ${error.message}`), status: "failed" },
        text: "",
      };
    }
    throw error;
  }
}

export function teardownPrompt(gathered: Gathered[], excerptChars = 4000): Prompt {
  const sections = gathered.map((g, i) => {
    const head = `Competitor ${i + 1}: ${g.url} (name from its URL: ${g.name})`;
    if (g.facts.status !== "fetched")
      return `${head}\nNo page content (${g.facts.reason}). Judge from the name only and say so.`;
    return [
      head,
      `Fetched page (fact, from ${g.facts.source}): title ${JSON.stringify(g.facts.title)}; description ${JSON.stringify(g.facts.description)}`,
      g.facts.headings.length ? `Headings: ${g.facts.headings.join(" | ")}` : "",
      g.facts.pricingMentions.length
        ? `Prices on the page: ${g.facts.pricingMentions.join(", ")}`
        : "Prices on the page: none found",
      `Page text (first ${excerptChars} characters): ${g.text.slice(0, excerptChars)}`,
    ]
      .filter(Boolean)
      .join("\n");
  });
  return {
    system:
      "You are EVA's competitor teardown analyst. Deconstruct each competitor from first principles: business model, features, pricing, positioning, the work its product does (work components) and how much of it an AI-operated company could automate. " +
      "Use only the page content given; where there is none, say the reading comes from the name alone and write 'unknown' for pricing. Answer with one JSON object matching the schema.",
    user: [
      ...sections,
      gathered.length > 1
        ? "Then a gap analysis across the competitors: what none or few of them does well (missingFrom: their URLs), with the evidence, and the opportunity the gaps leave."
        : "One competitor: no gap analysis (gaps: []); the opportunity is what it does poorly.",
    ].join("\n\n"),
  };
}

const GENERIC_FEATURES = [
  "onboarding",
  "reporting dashboard",
  "integrations",
  "team accounts",
  "mobile app",
  "API access",
];

/** The offline analyst's teardown: from the fetched headings and prices where there are any, else from names; deterministic. */
export function simulateTeardown(gathered: Gathered[], rng: Rng): TeardownAnalysis {
  const competitors = gathered.map((g) => {
    const fetched = g.facts.status === "fetched";
    const features =
      fetched && g.facts.headings.length ? g.facts.headings.slice(0, 6) : rng.sample(GENERIC_FEATURES, 3);
    return {
      url: g.url,
      businessModel: fetched
        ? `Subscription software (read from ${g.host}'s page${g.facts.pricingMentions.length ? ", which lists prices" : ""})`
        : `Unknown: inferred from the name "${g.name}" only`,
      features,
      pricing: g.facts.pricingMentions.length ? g.facts.pricingMentions.join(", ") : "unknown",
      positioning: fetched
        ? (g.facts.description ?? g.facts.title ?? `${g.name}'s own words were not found`)
        : `Unknown: name only (${g.name})`,
      workComponents: features.map((f) => `deliver ${f.toLowerCase()}`),
      automationPotential: rng.int(30, 85),
    };
  });
  const gaps =
    gathered.length < 2
      ? []
      : GENERIC_FEATURES.filter((f) => !competitors.some((c) => c.features.some((x) => x.toLowerCase().includes(f))))
          .slice(0, 3)
          .map((f) => ({
            gap: `No competitor offers ${f}`,
            evidence: gathered.some((g) => g.facts.status === "fetched")
              ? `absent from the fetched headings of ${competitors.map((c) => new URL(c.url).hostname).join(", ")}`
              : "assumed: no page was fetched",
            missingFrom: competitors.map((c) => c.url),
          }));
  return {
    competitors,
    gaps,
    opportunity:
      gaps.length > 0
        ? `A focused product that covers ${gaps.map((g) => g.gap.replace(/^No competitor offers /, "")).join(", ")}`
        : `A narrower, cheaper alternative to ${competitors.map((c) => new URL(c.url).hostname).join(", ")}`,
  };
}

/**
 * Tears down `urls`: fetches each through `options.toolbox` (when online), then
 * one analysis of them all. A refused or failed fetch does not stop the
 * teardown: that competitor is analysed by its name and the reason recorded.
 */
export async function competitorTeardown(
  analyst: Analyst,
  urls: string[],
  options: TeardownOptions,
): Promise<TeardownResult> {
  if (urls.length === 0) throw new Error("a competitor teardown needs at least one URL");
  const online = options.online ?? urlFetchEnabled();
  const gathered: Gathered[] = [];
  // One at a time: each fetch is its own tool call, checked and recorded in order.
  for (const url of urls) gathered.push(await gather(url, options, online));
  const result = await analyst.analyze({
    schemaName: "stage_00_competitor_gap_analysis",
    schema: teardownAnalysisSchema,
    prompt: teardownPrompt(gathered, options.excerptChars),
    simulate: (rng) => simulateTeardown(gathered, rng),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  const label: "judgement" | "simulation" = result.epistemic === "simulation" ? "simulation" : "judgement";
  const byUrl = new Map(result.output.competitors.map((c) => [c.url, c]));
  const competitors = gathered.map((g, i) => {
    const reading = byUrl.get(g.url) ?? result.output.competitors[i] ?? result.output.competitors[0];
    if (!reading) throw new Error("the teardown analysis named no competitor");
    return { url: g.url, host: g.host, name: g.name, fetched: g.facts, analysis: { ...reading, url: g.url, label } };
  });
  const fetchedCount = gathered.filter((g) => g.facts.status === "fetched").length;
  const basis = !online
    ? `offline: name only — no page was fetched (URL fetching is off; EVA_URL_FETCH=on fetches them); each competitor was analysed by its URL's name only`
    : fetchedCount === gathered.length
      ? `online: ${fetchedCount} page${fetchedCount === 1 ? "" : "s"} fetched through the fetch_url tool`
      : `online: ${fetchedCount} of ${gathered.length} pages fetched; the others were analysed by name only (see each competitor's fetched.reason)`;
  return {
    mode: online ? "online" : "offline",
    basis,
    competitors,
    gapAnalysis: urls.length > 1 ? { label, gaps: result.output.gaps, opportunity: result.output.opportunity } : null,
    gapNote: urls.length > 1 ? null : "one competitor: a gap analysis needs two or more URLs",
    provenance: result.provenance,
    usage: result.usage,
  };
}

/** The teardown in a few lines, for the brief's prompt (each line says what it rests on). */
export function teardownSummary(result: TeardownResult): string {
  const lines = [`Competitor teardown (${result.basis}):`];
  for (const c of result.competitors) {
    lines.push(
      `- ${c.name} (${c.url}): ${c.analysis.businessModel}; pricing ${c.analysis.pricing} [${c.fetched.status === "fetched" ? "prices: fact" : "unknown"}]; features ${c.analysis.features.join(", ")} [${c.analysis.label}]`,
    );
  }
  if (result.gapAnalysis) {
    for (const g of result.gapAnalysis.gaps)
      lines.push(`- gap: ${g.gap} (${g.evidence}) [${result.gapAnalysis.label}]`);
    lines.push(`- opportunity: ${result.gapAnalysis.opportunity} [${result.gapAnalysis.label}]`);
  }
  return lines.join("\n");
}
