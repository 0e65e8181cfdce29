// Agent tool policy (spec §12) and the fetch_url tool: a call outside the
// agent's profile is refused with its reason and recorded; the profile is
// asked at call time; fetch_url's deadline, byte cap, redirect limit,
// content-type check and private-address refusal against local HTTP servers.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { fetchUrl, isPrivateAddress } from "../src/tools/fetch-url.ts";
import { assignProfile, listAgents, listCalls, listProfiles, toolPermit } from "../src/tools/policy.ts";
import { createToolbox, ToolRefused } from "../src/tools/toolbox.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let server: Server;
let base: string;
let slowAnswered = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<html><head><title>Acme Invoicing</title><meta name="description" content="Invoices in one click"><style>.x{}</style></head>
         <body><h1>Invoices that send themselves</h1><script>var secret = 1;</script>
         <h2>Pricing</h2><p>Starter $29/month. Pro $99/month.</p></body></html>`,
      );
    } else if (path === "/slow") {
      res.writeHead(200, { "content-type": "text/html" });
      res.write("<html><body>");
      setTimeout(() => {
        slowAnswered = true;
        res.end("late</body></html>");
      }, 3000).unref();
    } else if (path === "/huge") {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = "x".repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 200) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    } else if (path.startsWith("/loop")) {
      const n = Number(path.slice(5) || 0);
      res.writeHead(302, { location: `/loop${n + 1}` });
      res.end();
    } else if (path === "/redirect-once") {
      res.writeHead(301, { location: "/page" });
      res.end();
    } else if (path === "/image") {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(Buffer.alloc(100));
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not here");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.drop();
});

const local = { allowPrivateAddresses: true };

describe("tool profiles", () => {
  it("stores the four profiles of spec §12 and which tools each allows", async () => {
    const profiles = await withRole(t.db, "eva_viewer", (trx) => listProfiles(trx as never));
    const byName = Object.fromEntries(profiles.map((p) => [p.profile, p.tools]));
    expect(byName.full).toEqual(["fetch_url", "read_venture", "search", "write_artifact"]);
    expect(byName.coding).toEqual(["read_venture", "search", "write_artifact"]);
    expect(byName.readonly).toEqual(["fetch_url", "read_venture", "search"]);
    expect(byName.minimal).toEqual(["read_venture", "search"]);
    const agents = await withRole(t.db, "eva_viewer", (trx) => listAgents(trx as never));
    expect(agents.find((a) => a.agent === "competitor_teardown")?.profile).toBe("readonly");
    expect(agents.find((a) => a.agent === "stage_analyst")?.profile).toBe("coding");
  });

  it("refuses a readonly agent's write with the reason, writes nothing, and records the refusal", async () => {
    const venture = await createVenture(t.db);
    const toolbox = createToolbox(t.db, "devils_advocate", { ventureId: venture.id });
    const before = await t.db
      .selectFrom("venture_artifacts")
      .select(({ fn }) => fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const attempt = toolbox.writeArtifact({
      ventureId: venture.id,
      lifecycleStage: 2,
      artifactType: "idea_validation",
      content: { verdict: "the adversary tries to write" },
      epistemicClassification: "assumption",
    });
    await expect(attempt).rejects.toBeInstanceOf(ToolRefused);
    await expect(attempt).rejects.toThrow(
      /devils_advocate has the readonly profile, which does not allow write_artifact \(a write tool\); it allows: fetch_url, read_venture, search/,
    );
    const after = await t.db
      .selectFrom("venture_artifacts")
      .select(({ fn }) => fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const [call] = await withRole(t.db, "eva_chairman", (trx) => listCalls(trx as never, { agent: "devils_advocate" }));
    expect(call).toMatchObject({
      tool: "write_artifact",
      allowed: false,
      ok: null,
      profile: "readonly",
      ventureId: venture.id,
    });

    // The same write by an agent whose profile allows it goes through, and is recorded with its bytes.
    const writer = createToolbox(t.db, "stage_analyst", { ventureId: venture.id });
    const written = await writer.writeArtifact({
      ventureId: venture.id,
      lifecycleStage: 2,
      artifactType: "idea_validation",
      content: { verdict: "the analyst writes" },
      epistemicClassification: "assumption",
    });
    expect(written.version).toBe(1);
    const [ok] = await withRole(t.db, "eva_chairman", (trx) => listCalls(trx as never, { agent: "stage_analyst" }));
    expect(ok).toMatchObject({ tool: "write_artifact", allowed: true, ok: true });
    expect(ok?.bytes).toBeGreaterThan(10);
  });

  it("checks the profile at each call: a profile changed after the toolbox was made applies to the next call", async () => {
    const toolbox = createToolbox(t.db, "gate_validator", { limits: { fetch: local } });
    await expect(toolbox.fetchUrl(`${base}/page`)).rejects.toThrow(/gate_validator has the minimal profile/);
    await withRole(t.db, "eva_chairman", (trx) => assignProfile(trx as never, "gate_validator", "readonly"));
    const page = await toolbox.fetchUrl(`${base}/page`);
    expect(page.title).toBe("Acme Invoicing");
    await withRole(t.db, "eva_chairman", (trx) => assignProfile(trx as never, "gate_validator", "minimal"));
    await expect(toolbox.fetchUrl(`${base}/page`)).rejects.toBeInstanceOf(ToolRefused);
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from eva.eva_event_log where event_type = 'tool.profile_assigned' and payload ->> 'agent' = 'gate_validator'`.execute(
      t.db,
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it("lets a minimal agent read a venture and search, each call recorded with its bytes", async () => {
    const venture = await createVenture(t.db, { name: "Tanager Tools" });
    const toolbox = createToolbox(t.db, "retrospective_analyst", { ventureId: venture.id });
    const view = await toolbox.readVenture(venture.id);
    expect(view.venture.name).toBe("Tanager Tools");
    expect(view.artifacts.map((a) => a.artifactType)).toEqual(["idea_brief"]);
    const hits = await toolbox.search("tanager");
    expect(hits[0]?.ventureName).toBe("Tanager Tools");
    const calls = await withRole(t.db, "eva_chairman", (trx) =>
      listCalls(trx as never, { agent: "retrospective_analyst" }),
    );
    expect(calls.map((c) => [c.tool, c.ok, c.profile])).toEqual([
      ["search", true, "minimal"],
      ["read_venture", true, "minimal"],
    ]);
    expect(calls.every((c) => (c.bytes ?? 0) > 0)).toBe(true);
  });

  it("refuses an unknown agent and an unknown tool", async () => {
    const stranger = await withRole(t.db, "eva_service", (trx) => toolPermit(trx as never, "nobody", "search"));
    expect(stranger).toMatchObject({ allowed: false, profile: null });
    expect(stranger.reason).toMatch(/no analysis agent named nobody/);
    const tool = await withRole(t.db, "eva_service", (trx) => toolPermit(trx as never, "orchestrator", "rm_rf"));
    expect(tool).toMatchObject({ allowed: false, profile: "full" });
    expect(tool.reason).toMatch(/no tool named rm_rf/);
  });

  it("lets only the Chairman assign profiles", async () => {
    await expect(
      withRole(t.db, "eva_service", (trx) => assignProfile(trx as never, "stage_analyst", "full")),
    ).rejects.toThrow(/permission denied|only the Chairman/);
    await expect(
      withRole(t.db, "eva_chairman", (trx) => assignProfile(trx as never, "stage_analyst", "root")),
    ).rejects.toThrow(/no tool profile named root/);
    // Viewers do not read the call record.
    await expect(withRole(t.db, "eva_viewer", (trx) => listCalls(trx as never))).rejects.toThrow(
      /permission denied for table tool_calls/,
    );
  });
});

describe("fetch_url", () => {
  it("fetches a page's title, description, headings and visible text (no scripts or styles)", async () => {
    const page = await fetchUrl(`${base}/redirect-once`, local);
    expect(page).toMatchObject({
      status: 200,
      contentType: "text/html",
      redirects: 1,
      title: "Acme Invoicing",
      description: "Invoices in one click",
      truncated: false,
    });
    expect(page.finalUrl).toBe(`${base}/page`);
    expect(page.headings).toEqual(["Invoices that send themselves", "Pricing"]);
    expect(page.text).toContain("Starter $29/month");
    expect(page.text).not.toContain("secret");
  });

  it("gives up on a slow server at its deadline", async () => {
    const started = performance.now();
    const attempt = fetchUrl(`${base}/slow`, { ...local, deadlineMs: 300 });
    await expect(attempt).rejects.toMatchObject({ kind: "deadline" });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(slowAnswered).toBe(false);
  });

  it("reads a huge body up to its byte cap and says it was cut", async () => {
    const page = await fetchUrl(`${base}/huge`, { ...local, maxBytes: 100_000 });
    expect(page.bytes).toBe(100_000);
    expect(page.truncated).toBe(true);
    expect(page.text.length).toBeLessThanOrEqual(20_000);
  });

  it("stops a redirect loop at the redirect limit", async () => {
    await expect(fetchUrl(`${base}/loop`, { ...local, maxRedirects: 3 })).rejects.toMatchObject({
      kind: "too_many_redirects",
      message: expect.stringMatching(/redirected more than 3 times/),
    });
  });

  it("refuses what is not a text page, and HTTP errors", async () => {
    await expect(fetchUrl(`${base}/image`, local)).rejects.toMatchObject({ kind: "content_type" });
    await expect(fetchUrl(`${base}/missing`, local)).rejects.toMatchObject({ kind: "http_status" });
    await expect(fetchUrl("file:///etc/passwd", local)).rejects.toMatchObject({ kind: "invalid_url" });
  });

  it("refuses private and loopback addresses unless allowed, by IP and by name", async () => {
    const previous = process.env.EVA_FETCH_ALLOW_PRIVATE;
    delete process.env.EVA_FETCH_ALLOW_PRIVATE;
    try {
      await expect(fetchUrl(`${base}/page`)).rejects.toMatchObject({ kind: "private_address" });
      const port = (server.address() as AddressInfo).port;
      await expect(fetchUrl(`http://localhost:${port}/page`)).rejects.toMatchObject({ kind: "private_address" });
      // IPv6 loopback too.
      await expect(fetchUrl(`http://[::1]:${port}/page`)).rejects.toMatchObject({ kind: "private_address" });
    } finally {
      if (previous !== undefined) process.env.EVA_FETCH_ALLOW_PRIVATE = previous;
    }
    for (const address of [
      "10.1.2.3",
      "192.168.0.1",
      "172.20.0.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "::ffff:127.0.0.1",
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
      expect(isPrivateAddress(address), address).toBe(false);
  });

  it("records a failed fetch with its reason, duration and bytes", async () => {
    const toolbox = createToolbox(t.db, "competitor_teardown", { limits: { fetch: { ...local, maxRedirects: 2 } } });
    await expect(toolbox.fetchUrl(`${base}/loop`)).rejects.toMatchObject({ kind: "too_many_redirects" });
    const [call] = await withRole(t.db, "eva_chairman", (trx) =>
      listCalls(trx as never, { agent: "competitor_teardown" }),
    );
    expect(call).toMatchObject({
      tool: "fetch_url",
      allowed: true,
      ok: false,
      detail: { url: `${base}/loop`, failure: "too_many_redirects" },
    });
    expect(call?.error).toMatch(/redirected more than 2 times/);
    expect(call?.durationMs).toBeGreaterThanOrEqual(0);
  });
});
