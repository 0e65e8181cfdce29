// A local HTTP server that speaks OpenAI's Chat Completions API
// (POST /v1/chat/completions), scripted per test with a queue of behaviours,
// recording every request it receives. Real HTTP, so the openai package's own
// retries, timeouts and error mapping run as they would against a real server.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type Behaviour =
  /** A completion whose content is `JSON.stringify(value)`. */
  | { kind: "json"; value: unknown; usage?: FakeUsage }
  /** A completion with this exact content (malformed JSON, fenced JSON, null for a refusal). */
  | { kind: "content"; content: string | null; usage?: FakeUsage; finishReason?: string; refusal?: string }
  /** An error response in OpenAI's error shape. */
  | { kind: "error"; status: number; message: string; code?: string; param?: string; headers?: Record<string, string> }
  /** Accept the request and never answer (the client's timeout must fire). */
  | { kind: "hang" }
  /** A completion whose content is `JSON.stringify` of what `answer` computes from the request (a model stand-in). */
  | { kind: "respond"; answer: (body: ChatBody) => unknown; usage?: FakeUsage };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body ({} if it was not JSON). */
  body: ChatBody;
  /** ms since the server started, to measure the gaps the client left between retries. */
  at: number;
}

export interface ChatBody {
  model?: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  seed?: number;
  response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  [key: string]: unknown;
}

export interface FakeOpenAIServer {
  /** The API root to give the client, e.g. http://127.0.0.1:40123/v1. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Queue behaviours, used one per chat completion request in order. */
  enqueue(...behaviours: Behaviour[]): void;
  /** What to do once the queue is empty (default: a 500 saying nothing was queued, so a test notices). */
  setFallback(behaviour: Behaviour): void;
  /** false: answer 400 to any response_format json_schema, as servers without structured outputs do (queue untouched). */
  supportsJsonSchema: boolean;
  /** Clear the queue, the recorded requests and the settings between tests. */
  reset(): void;
  close(): Promise<void>;
}

/** Behaviour builders. */
export const reply = {
  json: (value: unknown, usage?: FakeUsage): Behaviour => ({ kind: "json", value, ...(usage ? { usage } : {}) }),
  content: (content: string | null, extra: Partial<Omit<Extract<Behaviour, { kind: "content" }>, "kind">> = {}) =>
    ({ kind: "content", content, ...extra }) as Behaviour,
  error: (status: number, message: string, extra: Partial<Omit<Extract<Behaviour, { kind: "error" }>, "kind">> = {}) =>
    ({ kind: "error", status, message, ...extra }) as Behaviour,
  rateLimited: (retryAfterSeconds: number): Behaviour => ({
    kind: "error",
    status: 429,
    message: "Rate limit reached for requests",
    code: "rate_limit_exceeded",
    headers: { "retry-after": String(retryAfterSeconds) },
  }),
  hang: (): Behaviour => ({ kind: "hang" }),
  respond: (answer: (body: ChatBody) => unknown, usage?: FakeUsage): Behaviour => ({
    kind: "respond",
    answer,
    ...(usage ? { usage } : {}),
  }),
};

export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const started = performance.now();
  let queue: Behaviour[] = [];
  let fallback: Behaviour | undefined;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const body = (parsed ?? {}) as ChatBody;
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        at: performance.now() - started,
      });

      if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
        return sendError(res, { kind: "error", status: 404, message: `Unknown route ${req.method} ${req.url}` });
      }
      if (!Array.isArray(body.messages)) {
        return sendError(res, { kind: "error", status: 400, message: "Request body must be JSON with messages" });
      }
      if (!fake.supportsJsonSchema && body.response_format?.type === "json_schema") {
        return sendError(res, {
          kind: "error",
          status: 400,
          message: "response_format of type json_schema is not supported by this server",
          param: "response_format",
        });
      }
      const behaviour = queue.shift() ?? fallback;
      if (!behaviour) {
        return sendError(res, { kind: "error", status: 500, message: "fake server: no behaviour queued" });
      }
      switch (behaviour.kind) {
        case "hang":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "error":
          return sendError(res, behaviour);
        case "json":
          return sendCompletion(res, body, JSON.stringify(behaviour.value), behaviour.usage);
        case "respond":
          return Promise.resolve()
            .then(() => behaviour.answer(body))
            .then(
              (value) => sendCompletion(res, body, JSON.stringify(value), behaviour.usage),
              (error: unknown) =>
                sendError(res, { kind: "error", status: 500, message: `fake server: ${String(error)}` }),
            );
        case "content":
          return sendCompletion(
            res,
            body,
            behaviour.content,
            behaviour.usage,
            behaviour.finishReason,
            behaviour.refusal,
          );
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const fake: FakeOpenAIServer = {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    supportsJsonSchema: true,
    enqueue: (...behaviours) => {
      queue.push(...behaviours);
    },
    setFallback: (behaviour) => {
      fallback = behaviour;
    },
    reset: () => {
      queue = [];
      fallback = undefined;
      requests.length = 0;
      fake.supportsJsonSchema = true;
      for (const res of hanging) res.destroy();
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return fake;
}

function sendCompletion(
  res: ServerResponse,
  body: ChatBody,
  content: string | null,
  usage: FakeUsage | undefined,
  finishReason = "stop",
  refusal?: string,
) {
  // Without a scripted usage, count like a tokenizer would roughly: four characters a token.
  const promptChars = body.messages.reduce((n, m) => n + String(m.content ?? "").length, 0);
  const prompt_tokens = usage?.prompt_tokens ?? Math.ceil(promptChars / 4);
  const completion_tokens = usage?.completion_tokens ?? Math.ceil((content ?? "").length / 4);
  send(res, 200, {
    id: `chatcmpl-${randomBytes(12).toString("hex")}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? "unknown",
    system_fingerprint: "fp_fake",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: refusal ?? null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
  });
}

function sendError(res: ServerResponse, behaviour: Extract<Behaviour, { kind: "error" }>) {
  const type =
    behaviour.status === 429
      ? "requests"
      : behaviour.status >= 500
        ? "server_error"
        : behaviour.status === 401
          ? "invalid_authentication"
          : "invalid_request_error";
  send(
    res,
    behaviour.status,
    { error: { message: behaviour.message, type, param: behaviour.param ?? null, code: behaviour.code ?? null } },
    behaviour.headers,
  );
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": `req_${randomBytes(8).toString("hex")}`,
    ...headers,
  });
  res.end(text);
}
