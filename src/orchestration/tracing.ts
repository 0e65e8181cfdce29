// OpenTelemetry tracing for EVA (spec §13, the orchestrator tracer; issue #10).
// Code anywhere calls withSpan(name, attributes, fn): with no tracer provider
// registered that is @opentelemetry/api's no-op, and nothing else is loaded.
// A process that serves (the worker, the API, a CLI command that decides)
// calls startTracing(role): when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, it loads the SDK lazily and
// registers a provider that batches spans to that collector over OTLP/HTTP
// (JSON); the handle's shutdown() flushes and stops it. Several starts in one
// process (`eva start` runs the worker and the API) share one provider,
// shut down when the last one stops.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Attributes,
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

export { type Span, SpanStatusCode };

export type ProcessRole = "worker" | "api" | "cli";

/** Span attribute names EVA adds (gen_ai.* are OpenTelemetry's semantic conventions). */
export const ATTR = {
  ventureId: "eva.venture.id",
  stage: "eva.stage",
  workId: "eva.stage_work.id",
  outcome: "eva.outcome",
  decisionId: "eva.decision.id",
  decision: "eva.decision",
  gateType: "eva.gate.type",
  task: "eva.task",
} as const;

const TRACER_NAME = "eva";

/** What a child span takes from its parent, so an LLM call or a gate names its venture and stage too. */
const INHERITED = [ATTR.ventureId, ATTR.stage, ATTR.workId] as const;

function withInherited(attributes: Attributes): Attributes {
  // The SDK's spans expose their attributes; the API's no-op span has none.
  const parent = trace.getActiveSpan() as { attributes?: Attributes } | undefined;
  const from = parent?.attributes;
  if (!from) return attributes;
  const inherited: Attributes = {};
  for (const key of INHERITED) if (from[key] !== undefined) inherited[key] = from[key];
  return { ...inherited, ...attributes };
}

/**
 * A span around `fn`: attributes set (and the parent's venture, stage and
 * stage work), an exception recorded with ERROR status, ended either way.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes: withInherited(attributes) }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** withSpan for synchronous work (a pure gate evaluation): no promise in between. */
export function withSpanSync<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, { attributes: withInherited(attributes) }, (span) => {
    try {
      return fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The span of the current context (a no-op span when there is none). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}

/** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** OTEL_EXPORTER_OTLP_HEADERS ("k1=v1,k2=v2", values URL-encoded) as headers. */
function otlpHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS ?? "";
  const headers: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    const at = pair.indexOf("=");
    if (at > 0) headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

export interface TracingHandle {
  /** True when spans are exported (an endpoint was set). */
  readonly enabled: boolean;
  readonly endpoint: string | undefined;
  readonly serviceName: string | undefined;
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and, when this was the last user of the provider, shuts it down. */
  shutdown(): Promise<void>;
}

const DISABLED: TracingHandle = {
  enabled: false,
  endpoint: undefined,
  serviceName: undefined,
  flush: async () => {},
  shutdown: async () => {},
};

/** Propagates the active context across awaits (what @opentelemetry/context-async-hooks does). */
class AsyncLocalStorageContextManager implements ContextManager {
  #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== "function") return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#storage.disable();
    return this;
  }
}

interface Shared {
  users: number;
  endpoint: string;
  serviceName: string;
  provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
}
let shared: Promise<Shared> | undefined;

async function createProvider(role: ProcessRole, endpoint: string, env: NodeJS.ProcessEnv): Promise<Shared> {
  // Loaded only here: a process without an endpoint never loads the SDK.
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, semconv] =
    await Promise.all([
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/semantic-conventions"),
    ]);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || `eva-${role}`;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: serviceName,
      [semconv.ATTR_SERVICE_VERSION]: "0.1.0",
      "process.pid": process.pid,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: endpoint, headers: otlpHeaders(env) }),
        scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 2000),
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  trace.setGlobalTracerProvider(provider);
  return { users: 0, endpoint, serviceName, provider };
}

/**
 * Starts exporting spans for this process when an OTLP endpoint is set
 * (else returns a disabled handle and loads nothing). service.name is
 * OTEL_SERVICE_NAME, else eva-<role>.
 */
export async function startTracing(role: ProcessRole, env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle> {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return DISABLED;
  shared ??= createProvider(role, endpoint, env);
  const state = await shared;
  state.users++;
  let stopped = false;
  return {
    enabled: true,
    endpoint: state.endpoint,
    serviceName: state.serviceName,
    flush: () => state.provider.forceFlush(),
    shutdown: async () => {
      if (stopped) return;
      stopped = true;
      state.users--;
      await state.provider.forceFlush();
      if (state.users > 0) return;
      shared = undefined;
      await state.provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

/** Runs `fn` with tracing started for `role`, flushed and stopped after (a CLI command's lifetime). */
export async function withTracing<T>(role: ProcessRole, fn: () => Promise<T>): Promise<T> {
  const tracing = await startTracing(role);
  try {
    return await fn();
  } finally {
    await tracing.shutdown();
  }
}
