// URL reachability for the reality gates (spec §13): checked against a real
// local HTTP server, and read by the pure gate as data.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PhaseArtifact } from "../../src/gates/types.ts";
import { checkUrls, type UrlCheckResult, urlCheckOptions, urlsNamedIn } from "../../src/gates/url-check.ts";
import { checkNamed, expectReevaluates, gateInput, phaseArtifact, realityOf } from "./helpers.ts";

let server: Server;
let base = "";
let refused = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/ok") res.writeHead(200, { "content-type": "text/plain" }).end("here");
    else if (req.url === "/slow")
      return; // never answers
    else res.writeHead(404).end("not here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was open a moment ago and is closed now: the connection is refused.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const named = (url: string, stage = 8) => ({ url, stage, artifactType: "business_model_canvas" });

describe("checking URLs", () => {
  it("finds the URLs an artifact names, in fields or in text, each once, with the earliest stage that names it", () => {
    const urls = urlsNamedIn([
      { stage: 8, type: "business_model_canvas", content: { channels: [{ text: "See https://b.example/pricing." }] } },
      {
        stage: 6,
        type: "risk_matrix",
        content: { risks: [{ description: "Rival at https://a.example and (https://b.example/pricing)" }], n: 3 },
      },
      { stage: 7, type: "pricing_model", content: { note: "no link here, not even ftp://c.example" } },
    ]);
    expect(urls).toEqual([
      { url: "https://a.example", stage: 6, artifactType: "risk_matrix" },
      { url: "https://b.example/pricing", stage: 6, artifactType: "risk_matrix" },
    ]);
  });

  it("reports 200 reachable, 404 and a refused connection unreachable, and a server that never answers as a timeout", async () => {
    const results = await checkUrls(
      [named(`${base}/ok`), named(`${base}/gone`), named(refused), named(`${base}/slow`)],
      {
        enabled: true,
        timeoutMs: 300,
      },
    );
    expect(results.map((r) => [r.status, r.httpStatus])).toEqual([
      ["reachable", 200],
      ["unreachable", 404],
      ["unreachable", undefined],
      ["timeout", undefined],
    ]);
    expect(results[2]?.detail).toBe("ECONNREFUSED");
    expect(results[3]?.detail).toBe("no answer within 300 ms");
  });

  it("checks nothing with the offline analyst or EVA_URL_CHECK=off: every URL unchecked, none reachable", async () => {
    let asked = 0;
    const counting: typeof fetch = async (...args) => {
      asked += 1;
      return fetch(...args);
    };
    expect(urlCheckOptions("openai", {})).toMatchObject({ enabled: true, timeoutMs: 5000 });
    expect(urlCheckOptions("openai", { EVA_URL_CHECK_TIMEOUT_MS: "1500" })).toMatchObject({ timeoutMs: 1500 });
    for (const options of [urlCheckOptions("offline", {}), urlCheckOptions("openai", { EVA_URL_CHECK: "off" })]) {
      expect(options.enabled).toBe(false);
      const [result] = await checkUrls([named(`${base}/ok`)], { ...options, fetch: counting });
      expect(result).toMatchObject({ status: "unchecked", url: `${base}/ok` });
    }
    expect(urlCheckOptions("offline", {}).disabledReason).toBe("the offline analyst's artifacts are simulations");
    expect(asked).toBe(0);
  });
});

describe("the reality gate reads URL checks", () => {
  const TYPES: Record<number, string> = {
    6: "risk_matrix",
    7: "pricing_model",
    8: "business_model_canvas",
    9: "exit_strategy",
  };
  const phase: PhaseArtifact[] = [6, 7, 8, 9].map((s) => phaseArtifact(s, TYPES[s] as string, 80));
  const exitStrategy = {
    exitThesis: "Becomes the default reconciliation tool for small EU accounting firms",
    targetAcquirers: [
      { name: "Suite", rationale: "gap", fitScore: 4, buyerType: "strategic" },
      { name: "Fund", rationale: "recurring", fitScore: 3, buyerType: "financial" },
      { name: "Rival", rationale: "consolidation", fitScore: 2, buyerType: "competitor" },
    ],
    valuationEstimate: { estimatedRange: { low: 2_000_000, base: 4_000_000, high: 6_000_000 } },
  };
  const gate = (urlChecks: UrlCheckResult[]) =>
    realityOf(gateInput(9, exitStrategy, { phaseArtifacts: phase, urlChecks }));
  const result = (status: UrlCheckResult["status"], detail: string = status): UrlCheckResult => ({
    ...named("https://canvas.example/proof"),
    status,
    detail,
  });

  it("fails on an unreachable URL, naming the stage whose artifact names it", () => {
    const d = gate([result("unreachable", "HTTP 404")]);
    expect(d.decision).toBe("fail");
    expect(checkNamed(d, "stage 8 URL reachable: https://canvas.example/proof")).toMatchObject({
      passed: false,
      severity: "blocker",
      stage: 8,
      artifactType: "business_model_canvas",
      nextAction: "Re-run Stage 8 without https://canvas.example/proof, or with a URL that answers",
    });
    expect(d.inputs.urls).toEqual([result("unreachable", "HTTP 404")]);
    expectReevaluates(d, 9, "reality");
  });

  it("passes with a reachable URL, is conditional on a timeout, and lets unchecked URLs decide nothing but shows them", () => {
    expect(gate([result("reachable", "HTTP 200")]).decision).toBe("pass");
    expect(gate([result("timeout", "no answer within 5000 ms")]).decision).toBe("conditional");
    const unchecked = gate([result("unchecked", "not checked: EVA_URL_CHECK=off")]);
    expect(unchecked.decision).toBe("pass");
    expect(unchecked.checks.some((c) => c.name.includes("URL"))).toBe(false);
    expect(unchecked.rationale).toContain(
      "1 URL(s) named in the phase were not checked (EVA_URL_CHECK=off): https://canvas.example/proof.",
    );
    expect(unchecked.inputs.urls).toEqual([expect.objectContaining({ status: "unchecked" })]);
    expectReevaluates(unchecked, 9, "reality");
  });
});
