// Local HTTP servers that speak the media providers' APIs as EVA's clients
// call them: Kling (POST /v1/videos/image2video | text2video, GET
// /v1/videos/<kind>/<task_id>, a JWT HS256 from the access and secret keys
// checked on every call), the Gemini API (generateContent for images,
// predictLongRunning and the operation for Veo, x-goog-api-key) and Runway
// (POST /v1/image_to_video, GET /v1/tasks/<id>, Bearer and X-Runway-Version).
// Each records its requests; `next` queues behaviours for the next starts
// ("ok", "fail-task": accepted, then the task fails, or an HTTP status), and a
// task answers "running" `pollsBeforeDone` times before it is finished.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify } from "jose";
import sharp from "sharp";
import { json } from "./social-servers.ts";

export interface MediaRequestLog {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface MediaServer {
  url: string;
  requests: MediaRequestLog[];
  /** Behaviours of the next task starts, in order: "ok" (default), "fail-task", or an HTTP status (500, 429, 400…). */
  next: (string | number)[];
  /** How many looks at a task answer "running" before it is done. */
  pollsBeforeDone: number;
  /** Tasks started (accepted) so far. */
  started: string[];
  /** The finished video's bytes for a task. */
  videoBytes(taskId: string): Buffer;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type Handler = (s: MediaServer, req: IncomingMessage, res: ServerResponse, url: URL, body: unknown) => Promise<void>;

function start(handler: Handler): Promise<MediaServer> {
  return new Promise((resolve) => {
    const state: MediaServer = {
      url: "",
      requests: [],
      next: [],
      pollsBeforeDone: 1,
      started: [],
      videoBytes: (id) => Buffer.from(`video bytes of task ${id}`),
      close: () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    };
    const server = createServer(async (req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const body = await readBody(req);
      state.requests.push({ method: req.method ?? "GET", path: url.pathname, headers: req.headers, body });
      handler(state, req, res, url, body).catch((e) => json(res, 500, { error: String(e) }));
    });
    server.listen(0, "127.0.0.1", () => {
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve(state);
    });
  });
}

/** Shared task bookkeeping: how often each task was looked at, and whether it is to fail. */
let taskCounter = 0;

function tasks() {
  const polls = new Map<string, number>();
  const failing = new Set<string>();
  return {
    begin(s: MediaServer): { status: number } | { id: string } {
      const behaviour = s.next.shift() ?? "ok";
      if (typeof behaviour === "number") return { status: behaviour };
      taskCounter += 1;
      const id = `task-${taskCounter}`;
      s.started.push(id);
      polls.set(id, 0);
      if (behaviour === "fail-task") failing.add(id);
      return { id };
    },
    look(s: MediaServer, id: string): "unknown" | "running" | "failed" | "done" {
      const n = polls.get(id);
      if (n === undefined) return "unknown";
      polls.set(id, n + 1);
      if (n < s.pollsBeforeDone) return "running";
      return failing.has(id) ? "failed" : "done";
    },
  };
}

/** Kling: every call needs `Authorization: Bearer <JWT>` signed HS256 with `secretKey`, iss = `accessKey`, unexpired. */
export function startKlingServer(accessKey: string, secretKey: string): Promise<MediaServer> {
  const t = tasks();
  return start(async (s, req, res, url, body) => {
    if (req.method === "GET" && url.pathname.startsWith("/files/")) {
      res.writeHead(200, { "content-type": "video/mp4" }).end(s.videoBytes(url.pathname.slice(7)));
      return;
    }
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    try {
      const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secretKey), {
        issuer: accessKey,
        algorithms: ["HS256"],
      });
      if (protectedHeader.typ !== "JWT" || typeof payload.exp !== "number") throw new Error("bad token shape");
    } catch (e) {
      return json(res, 401, { code: 1001, message: `authorization failed: ${String(e)}` });
    }
    const m = url.pathname.match(/^\/v1\/videos\/(image2video|text2video)(?:\/([^/]+))?$/);
    if (!m) return json(res, 404, { code: 1200, message: "not found" });
    if (req.method === "POST" && !m[2]) {
      const b = body as { model_name?: string; prompt?: string; image?: string; duration?: string };
      if (!b?.prompt || (m[1] === "image2video" && !b.image))
        return json(res, 400, { code: 1201, message: "prompt (and image for image2video) required" });
      const r = t.begin(s);
      if ("status" in r)
        return json(res, r.status, { code: r.status === 429 ? 1302 : 5000, message: `status ${r.status}` });
      return json(res, 200, {
        code: 0,
        message: "SUCCEED",
        request_id: `req-${r.id}`,
        data: { task_id: r.id, task_status: "submitted", created_at: Date.now(), updated_at: Date.now() },
      });
    }
    if (req.method === "GET" && m[2]) {
      const look = t.look(s, m[2]);
      if (look === "unknown") return json(res, 404, { code: 1203, message: "task not found" });
      const data: Record<string, unknown> = { task_id: m[2], created_at: Date.now(), updated_at: Date.now() };
      if (look === "running") data.task_status = "processing";
      if (look === "failed")
        Object.assign(data, { task_status: "failed", task_status_msg: "generation failed upstream" });
      if (look === "done")
        Object.assign(data, {
          task_status: "succeed",
          task_result: { videos: [{ id: `v-${m[2]}`, url: `${s.url}/files/${m[2]}`, duration: "5" }] },
        });
      return json(res, 200, { code: 0, message: "SUCCEED", request_id: `req-${m[2]}`, data });
    }
    return json(res, 405, { code: 1200, message: "method not allowed" });
  });
}

/** The image every generateContent answers with: a solid colour, per model. */
export async function geminiImage(width = 1280, height = 720): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .png()
    .toBuffer();
}

/** The Gemini API: x-goog-api-key `apiKey`; generateContent answers an image part, predictLongRunning a Veo operation. */
export async function startGeminiServer(apiKey: string): Promise<MediaServer> {
  const t = tasks();
  const image = (await geminiImage()).toString("base64");
  return start(async (s, req, res, url, _body) => {
    if (req.headers["x-goog-api-key"] !== apiKey)
      return json(res, 403, { error: { code: 403, message: "API key not valid", status: "PERMISSION_DENIED" } });
    const gen = url.pathname.match(/^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|predictLongRunning)$/);
    if (req.method === "POST" && gen?.[2] === "generateContent") {
      const behaviour = s.next.shift() ?? "ok";
      if (typeof behaviour === "number")
        return json(res, behaviour, {
          error: { code: behaviour, message: `status ${behaviour}`, status: "UNAVAILABLE" },
        });
      return json(res, 200, {
        candidates: [
          {
            content: { role: "model", parts: [{ inlineData: { mimeType: "image/png", data: image } }] },
            finishReason: "STOP",
          },
        ],
        modelVersion: gen[1],
      });
    }
    if (req.method === "POST" && gen?.[2] === "predictLongRunning") {
      const r = t.begin(s);
      if ("status" in r)
        return json(res, r.status, { error: { code: r.status, message: `status ${r.status}`, status: "UNAVAILABLE" } });
      return json(res, 200, { name: `models/${gen[1]}/operations/${r.id}` });
    }
    const op = url.pathname.match(/^\/v1beta\/(models\/[^/]+\/operations\/([^/]+))$/);
    if (req.method === "GET" && op) {
      const id = op[2] as string;
      const look = t.look(s, id);
      if (look === "unknown")
        return json(res, 404, { error: { code: 404, message: "no such operation", status: "NOT_FOUND" } });
      if (look === "running") return json(res, 200, { name: op[1], done: false });
      if (look === "failed")
        return json(res, 200, { name: op[1], done: true, error: { code: 13, message: "internal error" } });
      return json(res, 200, {
        name: op[1],
        done: true,
        response: {
          "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
          generateVideoResponse: {
            generatedSamples: [{ video: { uri: `${s.url}/v1beta/files/${id}:download?alt=media` } }],
          },
        },
      });
    }
    const file = url.pathname.match(/^\/v1beta\/files\/([^/:]+):download$/);
    if (req.method === "GET" && file) {
      res.writeHead(200, { "content-type": "video/mp4" }).end(s.videoBytes(file[1] as string));
      return;
    }
    return json(res, 404, { error: { code: 404, message: `no route ${url.pathname}`, status: "NOT_FOUND" } });
  });
}

/** Runway: `Authorization: Bearer <apiKey>` and X-Runway-Version on every call. */
export function startRunwayServer(apiKey: string): Promise<MediaServer> {
  const t = tasks();
  return start(async (s, req, res, url, body) => {
    if (req.method === "GET" && url.pathname.startsWith("/files/")) {
      res.writeHead(200, { "content-type": "video/mp4" }).end(s.videoBytes(url.pathname.slice(7)));
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) return json(res, 401, { error: "Unauthorized" });
    if (!req.headers["x-runway-version"]) return json(res, 400, { error: "X-Runway-Version header required" });
    if (req.method === "POST" && url.pathname === "/v1/image_to_video") {
      const b = body as { model?: string; promptImage?: string; ratio?: string };
      if (!b?.model || !b.promptImage || !b.ratio)
        return json(res, 400, { error: "model, promptImage and ratio required" });
      const r = t.begin(s);
      if ("status" in r) return json(res, r.status, { error: `status ${r.status}` });
      return json(res, 200, { id: r.id });
    }
    const task = url.pathname.match(/^\/v1\/tasks\/([^/]+)$/);
    if (req.method === "GET" && task) {
      const id = task[1] as string;
      const look = t.look(s, id);
      const createdAt = new Date().toISOString();
      if (look === "unknown") return json(res, 404, { error: "Task not found" });
      if (look === "running") return json(res, 200, { id, status: "RUNNING", createdAt, progress: 0.5 });
      if (look === "failed") return json(res, 200, { id, status: "FAILED", createdAt, failure: "internal failure" });
      return json(res, 200, { id, status: "SUCCEEDED", createdAt, output: [`${s.url}/files/${id}`] });
    }
    return json(res, 404, { error: "not found" });
  });
}
