// How the API server serves the dashboard (issue 11, point 1): the app at /
// and at its page paths, hashed assets cached for a year and gzipped, a strict
// Content-Security-Policy on every response, nothing outside web/dist, and
// GraphQL, GraphiQL and /sign-in where they were.
import { readdirSync } from "node:fs";
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { WEB_DIST } from "../graphql/web-build.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
let api: ApiServer;
let origin: string;

beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0, secret: new TextEncoder().encode("x".repeat(40)) });
  origin = api.dashboardUrl;
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const get = (path: string, init: RequestInit = {}) => fetch(new URL(path, origin), init);

/** A request sent as written (fetch would normalize `..` away and decode gzip itself). */
function raw(path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(origin);
  return new Promise<{ status: number; encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
    request({ hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          encoding: res.headers["content-encoding"],
          bytes: Buffer.concat(chunks),
        }),
      );
    })
      .on("error", reject)
      .end();
  });
}

describe("the dashboard's files", () => {
  it("answers / and every page path with the app, revalidated each time, under a strict CSP", async () => {
    for (const path of ["/", "/decisions/3f1c0f43-9a3e-4a43-9f2f-6f0e2b7d9a10", "/portfolio", "/events/12"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      const html = await res.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
      // No inline script or style the CSP would have to allow.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style/);
    }
  });

  it("serves the hashed assets with their types, cached for a year, gzipped when asked", async () => {
    const js = readdirSync(`${WEB_DIST}/assets`).find((f) => f.endsWith(".js"));
    const css = readdirSync(`${WEB_DIST}/assets`).find((f) => f.endsWith(".css"));
    const plain = await get(`/assets/${js}`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    const body = Buffer.from(await plain.arrayBuffer());
    const zipped = await raw(`/assets/${js}`, { "accept-encoding": "gzip" });
    expect(zipped.encoding).toBe("gzip");
    expect(zipped.bytes.length).toBeLessThan(body.length / 2);
    expect(gunzipSync(zipped.bytes).equals(body)).toBe(true);
    expect((await get(`/assets/${css}`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("serves nothing outside web/dist and answers GET only", async () => {
    for (const path of [
      "/assets/../../package.json",
      "/assets/%2e%2e/%2e%2e/package.json",
      "/assets/nope.js",
      "/favicon.ico",
      "/package.json",
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect((await raw("/decisions/%E0%A4%A")).status).toBe(400);
    const post = await get("/", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
  });

  it("leaves GraphQL, GraphiQL and the sign-in exchange where they were", async () => {
    const gql = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await gql.json()).toEqual({ data: { __typename: "Query" } });
    const graphiql = await fetch(api.graphiqlUrl, { headers: { accept: "text/html" } });
    expect(await graphiql.text()).toMatch(/ruru|graphiql/i);
    const signIn = await get("/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"code":"nope"}',
    });
    expect(signIn.status).toBe(401);
  });
});
