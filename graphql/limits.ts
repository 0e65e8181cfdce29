// What one request may cost the API (spec §12, threat model): every connection
// reads a bounded page (a default when the caller names none, a maximum it
// cannot exceed, literal or variable alike); an operation's cost is the number
// of values it can return, rows multiplied through nested connections, with
// introspection counted like any other selection (and refused to anonymous
// callers); the response has a size limit; PostgreSQL cuts a statement off
// after a timeout and the server cuts the whole request off after a budget.
// A refusal is a GraphQL error with a code and an HTTP status that fits.
import { constant, lambda, type Step } from "postgraphile/grafast";
import { GraphQLError, type GraphQLSchema, getIntrospectionQuery, getOperationAST, parse } from "postgraphile/graphql";
import { operationCost } from "./depth-limit.ts";
import { verifiedToken } from "./verified-tokens.ts";

export interface ApiLimits {
  /** Rows a connection reads when the caller gives neither `first` nor `last`. */
  defaultPage: number;
  /** The largest `first`/`last` accepted. */
  maxPage: number;
  /** The most values (fields × the rows they repeat over) one operation may ask for. */
  maxCost: number;
  /** The largest response body, in bytes. */
  maxResponseBytes: number;
  /** The largest response body for callers other than the Chairman (viewers, anonymous), in bytes; introspection answers excepted. */
  sharedMaxResponseBytes: number;
  /**
   * How long a caller other than the Chairman is turned away (429) after the server cut one of its requests
   * off for its size or its time, in ms: work the server did for nothing is not repeated back to back.
   */
  refusalPauseMs: number;
  /**
   * How long an answer refusing a caller other than the Chairman (a limit's refusal, SLOW_DOWN, SERVER_BUSY,
   * an invalid document) is held before it is sent, in ms: a client asking again at once, whatever Retry-After says,
   * sends a few requests a second instead of thousands, and costs a timer instead of a request's work.
   */
  refusalDelayMs: number;
  /**
   * How long a request of a caller other than the Chairman that was cut off for its size (the same document,
   * variables and role) is refused before it runs, in ms, instead of being run again to be cut off again.
   */
  oversizeMemoryMs: number;
  /** PostgreSQL's statement_timeout for each statement of a request, in ms. */
  statementTimeoutMs: number;
  /** The wall-clock budget of a whole request in the server, in ms. */
  requestTimeoutMs: number;
  /** Whether callers without a token may introspect the schema (`__schema`, `__type`). */
  anonymousIntrospection: boolean;
  /** How many requests of callers other than the Chairman (viewers, anonymous) are handled at once; the rest wait their turn. */
  sharedConcurrency: number;
}

export const DEFAULT_LIMITS: Readonly<ApiLimits> = {
  defaultPage: 100,
  maxPage: 1000,
  maxCost: 100_000,
  maxResponseBytes: 10 * 1024 * 1024,
  sharedMaxResponseBytes: 1024 * 1024,
  refusalPauseMs: 2_000,
  refusalDelayMs: 250,
  oversizeMemoryMs: 60_000,
  statementTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  anonymousIntrospection: false,
  sharedConcurrency: 1,
};

/** The environment variable that sets each limit. */
export const LIMIT_VARIABLES = {
  defaultPage: "EVA_GRAPHQL_DEFAULT_PAGE",
  maxPage: "EVA_GRAPHQL_MAX_PAGE",
  maxCost: "EVA_GRAPHQL_MAX_COST",
  maxResponseBytes: "EVA_GRAPHQL_MAX_RESPONSE_BYTES",
  sharedMaxResponseBytes: "EVA_GRAPHQL_SHARED_MAX_RESPONSE_BYTES",
  refusalPauseMs: "EVA_GRAPHQL_REFUSAL_PAUSE_MS",
  refusalDelayMs: "EVA_GRAPHQL_REFUSAL_DELAY_MS",
  oversizeMemoryMs: "EVA_GRAPHQL_OVERSIZE_MEMORY_MS",
  statementTimeoutMs: "EVA_GRAPHQL_STATEMENT_TIMEOUT_MS",
  requestTimeoutMs: "EVA_GRAPHQL_TIMEOUT_MS",
  anonymousIntrospection: "EVA_GRAPHQL_INTROSPECTION",
  sharedConcurrency: "EVA_GRAPHQL_SHARED_CONCURRENCY",
} as const satisfies Record<keyof ApiLimits, string>;

/** The limits in force: DEFAULT_LIMITS, overridden by the EVA_GRAPHQL_* variables; a bad value is refused by name. */
export function apiLimits(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ApiLimits> = {}): ApiLimits {
  const limits: ApiLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_VARIABLES) as (keyof ApiLimits)[]) {
    const name = LIMIT_VARIABLES[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    if (key === "anonymousIntrospection") {
      if (raw !== "anonymous" && raw !== "token") {
        throw new Error(`${name} must be "anonymous" (anyone may introspect) or "token" (the default), not "${raw}"`);
      }
      limits.anonymousIntrospection = raw === "anonymous";
      continue;
    }
    if (!/^[1-9][0-9]*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      throw new Error(`${name} must be a positive whole number, not "${raw}"`);
    }
    limits[key] = Number(raw);
  }
  Object.assign(limits, overrides);
  if (limits.defaultPage > limits.maxPage) {
    throw new Error(
      `${LIMIT_VARIABLES.defaultPage} (${limits.defaultPage}) must not exceed ${LIMIT_VARIABLES.maxPage} (${limits.maxPage})`,
    );
  }
  return limits;
}

/** A refusal by one of the limits: its code, the HTTP status it is answered with, and what to do. */
export class LimitError extends GraphQLError {
  readonly statusCode: number;
  constructor(message: string, code: string, statusCode: number) {
    super(message, { extensions: { code } });
    this.statusCode = statusCode;
  }
}

const ANONYMOUS_ROLE = "eva_anonymous";
const CHAIRMAN_ROLE = "eva_chairman";

/** A counting semaphore: at most `size` holders; the others wait in order. */
function lane(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    get waiting() {
      return waiting.length;
    },
    async acquire(): Promise<() => void> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const next = waiting.shift();
        if (next) next();
        else free++;
      };
    },
  };
}

/**
 * Introspection answers depend on the schema alone (the same for every role):
 * an operation that selects nothing else is answered once per document and
 * variables, not recomputed for every GraphiQL that loads. Kept as the answer
 * (for the websocket) and as its JSON text, which an HTTP response copies as
 * it is (grafserv's outputDataAsString): a full introspection is ~850 KB of
 * JSON, and stringifying it for every request held the event loop for tens of ms.
 */
interface IntrospectionAnswer {
  result: unknown;
  json: string;
}
const introspectionAnswers = new WeakMap<object, Map<string, IntrospectionAnswer>>();
const STATEMENT_TIMEOUT = "57014";

/**
 * Every connection field reads a page: `first` when given (at most maxPage),
 * else `last` (at most maxPage), else the default page. PostGraphile's own
 * first/last arguments are applied here, on the executed values, so a
 * variable (`first: $n`) or an explicit null is bounded like a literal.
 */
export function connectionPagePlugin(limits: ApiLimits): GraphileConfig.Plugin {
  const bound = (n: unknown) => (typeof n === "number" ? Math.min(n, limits.maxPage) : n);
  return {
    name: "EvaConnectionPagePlugin",
    version: "1.0.0",
    after: ["PgFirstLastBeforeAfterArgsPlugin"],
    schema: {
      hooks: {
        GraphQLObjectType_fields_field(field, _build, context) {
          if (!context.scope.isPgFieldConnection || !field.plan) return field;
          const plan = field.plan;
          return {
            ...field,
            plan(...planArgs: Parameters<typeof plan>) {
              const $connection = plan(...planArgs) as Step & {
                setFirst?(first: Step): void;
                setLast?(last: Step): void;
              };
              const [, fieldArgs, info] = planArgs;
              const has = (name: string) => info.field.args.some((arg) => arg.name === name);
              if (!has("first") || typeof $connection.setFirst !== "function") return $connection;
              const $first = fieldArgs.getRaw("first");
              const $last = has("last") ? fieldArgs.getRaw("last") : constant(undefined);
              // Both given: PostGraphile refuses the pair itself, as before.
              $connection.setFirst(
                lambda(
                  [$first, $last],
                  ([first, last]) => (first != null ? bound(first) : last == null ? limits.defaultPage : null),
                  true,
                ),
              );
              if (has("last")) {
                $connection.setLast?.(lambda($last, (last) => (last == null ? null : bound(last)), true));
              }
              return $connection;
            },
          };
        },
        GraphQLObjectType_fields_field_args(args, _build, context) {
          if (!context.scope.isPgFieldConnection) return args;
          // Applied in the field's plan above, where both are known.
          for (const name of ["first", "last"]) {
            const arg = args[name];
            if (arg) args[name] = { ...arg, applyPlan: undefined };
          }
          return args;
        },
      },
    },
  };
}

/** Requests that only introspect (answered from the schema, and cached): the shared response limit spares them. */
const introspectionRequests = new WeakSet<object>();

/** Where a refused request's status is kept between execute() and the response (keyed by the request). */
const refusedStatus = new WeakMap<object, number>();

/** The result that refuses `request` with `error`, answered with the error's HTTP status. */
export function refuse(request: object | undefined, error: LimitError) {
  if (request) refusedStatus.set(request, error.statusCode);
  return { errors: [error] };
}

function isIntrospection(name: string): boolean {
  return name.startsWith("__") && name !== "__typename";
}

const introspectionCosts = new WeakMap<GraphQLSchema, number>();

/**
 * The cost limit an operation meets: maxCost, or — when the schema has grown
 * past it — what one full introspection of this schema costs (GraphiQL's own
 * query, every option on), so a client can always read the schema once while
 * a flood of aliased introspections is still refused.
 */
function costLimit(schema: GraphQLSchema, limits: ApiLimits): number {
  let floor = introspectionCosts.get(schema);
  if (floor === undefined) {
    const document = parse(
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    );
    const operation = getOperationAST(document);
    floor = operation
      ? operationCost(schema, document, operation, {
          variables: {},
          defaultPage: limits.defaultPage,
          maxPage: limits.maxPage,
        }).cost
      : 0;
    introspectionCosts.set(schema, floor);
  }
  return Math.max(limits.maxCost, floor);
}

/**
 * Refuses, before anything runs, an operation over its cost or page limits and
 * an anonymous introspection (unless allowed); cuts off a request that exceeds
 * its wall-clock budget or whose statement PostgreSQL timed out.
 */
export function requestLimitsPlugin(
  limits: ApiLimits,
  secret: Uint8Array,
  graphqlPath = "/graphql",
): GraphileConfig.Plugin {
  const shared = lane(limits.sharedConcurrency);
  // Callers (by their Authorization header) turned away until a time, after a request cut off for size or time.
  const pausedUntil = new Map<string, number>();
  const pause = (caller: string) => {
    if (limits.refusalPauseMs <= 0) return;
    const now = Date.now();
    if (pausedUntil.size >= 1000) for (const [key, until] of pausedUntil) if (until <= now) pausedUntil.delete(key);
    pausedUntil.set(caller, now + limits.refusalPauseMs);
  };
  let chairmanRunning = 0;
  const chairmanDone: (() => void)[] = [];
  // Answers cut off for their size, by document, then role and variables: refused before they run until `until`.
  const oversized = new WeakMap<object, Map<string, { until: number; at: number; bytes: number; maxBytes: number }>>();
  const remember = (request: object, bytes: number, maxBytes: number) => {
    const keyed = requestKeys.get(request);
    if (!keyed || limits.oversizeMemoryMs <= 0) return;
    const now = Date.now();
    let byKey = oversized.get(keyed.document);
    if (!byKey) {
      byKey = new Map();
      oversized.set(keyed.document, byKey);
    }
    if (byKey.size >= 64) for (const [key, seen] of byKey) if (seen.until <= now) byKey.delete(key);
    if (byKey.size < 64) byKey.set(keyed.key, { until: now + limits.oversizeMemoryMs, at: now, bytes, maxBytes });
  };
  // Refusals held back (refusalDelayMs); past MAX_HELD more are sent at once.
  let held = 0;
  const hold = async (ms: number) => {
    if (ms <= 0 || held >= MAX_HELD) return;
    held++;
    try {
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      held--;
    }
  };
  return {
    name: "EvaRequestLimitsPlugin",
    version: "1.0.0",
    grafast: {
      middleware: {
        async execute(next, event) {
          const { args } = event;
          const request = args.requestContext?.http as object | undefined;
          const operation = getOperationAST(args.document, args.operationName);
          const role = (args.contextValue as { pgSettings?: Record<string, string> }).pgSettings?.role;
          let cacheKey: string | undefined;
          // Over HTTP, a caller other than the Chairman asking again for an answer just cut off for its size.
          if (request && !args.requestContext?.ws && role !== CHAIRMAN_ROLE && limits.oversizeMemoryMs > 0) {
            const key = `${role ?? ""}\0${JSON.stringify(args.variableValues ?? {})}`;
            requestKeys.set(request, { document: args.document, key });
            const seen = oversized.get(args.document)?.get(key);
            if (seen && seen.until > Date.now()) {
              oversizeRefusals.add(request);
              return refuse(
                request,
                new LimitError(
                  `the response would be ${seen.bytes} bytes (it was ${Math.ceil((Date.now() - seen.at) / 1000)} s ago); at most ${seen.maxBytes} are allowed: ask for fewer rows (first:) or fewer fields`,
                  "RESPONSE_TOO_LARGE",
                  400,
                ),
              );
            }
          }
          if (operation) {
            const check = operationCost(args.schema as GraphQLSchema, args.document, operation, {
              variables: args.variableValues ?? {},
              defaultPage: limits.defaultPage,
              maxPage: limits.maxPage,
            });
            if (check.pageError) return refuse(request, new LimitError(check.pageError, "QUERY_TOO_COSTLY", 400));
            if (role === ANONYMOUS_ROLE && !limits.anonymousIntrospection && check.fields.some(isIntrospection)) {
              return refuse(
                request,
                new LimitError(
                  "introspection (__schema, __type) needs a token: send Authorization: Bearer <token> (npx eva chairman token)",
                  "INTROSPECTION_FORBIDDEN",
                  401,
                ),
              );
            }
            const maxCost = costLimit(args.schema as GraphQLSchema, limits);
            if (check.cost > maxCost) {
              return refuse(
                request,
                new LimitError(
                  `the operation could return ${check.cost} values (fields × the rows they repeat over); at most ${maxCost} are allowed: ask for fewer rows (first:) or fewer fields`,
                  "QUERY_TOO_COSTLY",
                  400,
                ),
              );
            }
            if (
              operation.operation === "query" &&
              operation.selectionSet.selections.every((s) => s.kind === "Field" && s.name.value.startsWith("__"))
            ) {
              cacheKey = JSON.stringify(args.variableValues ?? {});
              if (request) introspectionRequests.add(request);
              const cached = introspectionAnswers.get(args.document)?.get(cacheKey);
              if (cached) {
                const overHttp = args.requestContext?.http && !args.requestContext.ws;
                return (overHttp ? { data: cached.json } : cached.result) as Awaited<ReturnType<typeof next>>;
              }
            }
          }
          // Over HTTP the data is written as JSON text while grafast walks the result (its string output
          // plan), not built as objects and then stringified whole: grafserv's outputDataAsString sends such
          // text as it is, but does not ask grafast for it. An introspection answer stays an object (it is cached
          // for the websocket too, above).
          if (cacheKey === undefined && args.requestContext?.http && !args.requestContext.ws) {
            args.outputDataAsString = true;
          }
          let timer: NodeJS.Timeout | undefined;
          const budget = new Promise<"timeout">((resolve) => {
            timer = setTimeout(() => resolve("timeout"), limits.requestTimeoutMs);
          });
          try {
            const result = await Promise.race([next(), budget]);
            if (result === "timeout") return refuse(request, timeoutError(limits));
            if (cacheKey !== undefined && result && "data" in result && !result.errors) {
              const answers = introspectionAnswers.get(args.document) ?? new Map<string, IntrospectionAnswer>();
              introspectionAnswers.set(args.document, answers);
              if (answers.size < 16) answers.set(cacheKey, { result, json: JSON.stringify(result.data) });
            }
            if (
              result &&
              "errors" in result &&
              result.errors?.some(
                (e) => (e.originalError as { code?: unknown } | undefined)?.code === STATEMENT_TIMEOUT,
              )
            ) {
              return refuse(request, timeoutError(limits));
            }
            return result;
          } finally {
            clearTimeout(timer);
          }
        },
      },
    },
    grafserv: {
      middleware: {
        async processRequest(next, event) {
          const request = event.requestDigest as object & { path?: string; headers?: Record<string, unknown> };
          // The whole request (body, validation, execution, serialization) takes its turn, unless it is the Chairman's.
          let release: (() => void) | undefined;
          const theChairman = request.path === graphqlPath && (await claimsChairman(request.headers, secret));
          const caller = callerOf(request.headers);
          if (request.path === graphqlPath && !theChairman) {
            const until = pausedUntil.get(caller);
            if (until !== undefined) {
              if (until > Date.now()) {
                await hold(Math.min(limits.refusalDelayMs, until - Date.now()));
                return slowDown(Math.max(until - Date.now(), 1));
              }
              pausedUntil.delete(caller);
            }
            if (shared.waiting >= MAX_WAITING) {
              await hold(limits.refusalDelayMs);
              return busy();
            }
            release = await shared.acquire();
            // The Chairman goes first: a shared request starts when none of the Chairman's is running.
            while (chairmanRunning > 0) await new Promise<void>((resolve) => chairmanDone.push(resolve));
          }
          if (theChairman) chairmanRunning++;
          let result: Awaited<ReturnType<typeof next>>;
          try {
            result = await next();
          } finally {
            release?.();
            if (theChairman && --chairmanRunning === 0) for (const wake of chairmanDone.splice(0)) wake();
          }
          const status = refusedStatus.get(request);
          const shares = request.path === graphqlPath && !theChairman;
          const maxBytes =
            shares && !introspectionRequests.has(request)
              ? Math.min(limits.maxResponseBytes, limits.sharedMaxResponseBytes)
              : limits.maxResponseBytes;
          if (result?.type === "buffer") {
            if (status !== undefined) {
              result.statusCode = status;
              if (shares && (status === 504 || oversizeRefusals.has(request))) pause(caller);
            } else if (result.buffer.length > maxBytes) {
              if (shares) {
                pause(caller);
                remember(request, result.buffer.length, maxBytes);
              }
              const error = new LimitError(
                `the response would be ${result.buffer.length} bytes; at most ${maxBytes} are allowed: ask for fewer rows (first:) or fewer fields`,
                "RESPONSE_TOO_LARGE",
                400,
              );
              result.buffer = Buffer.from(JSON.stringify({ errors: [error.toJSON()] }), "utf8");
              result.headers["content-length"] = String(result.buffer.length);
              result.statusCode = error.statusCode;
            }
            // A refusal (of a limit, or of an invalid document) reaches a caller other than the Chairman late.
            if (shares && (result.statusCode >= 400 || errorsOnly(result.buffer))) await hold(limits.refusalDelayMs);
          }
          return result;
        },
      },
    },
  };
}

/** Requests waiting for the shared lane beyond which new ones are turned away. */
const MAX_WAITING = 64;
/** Refusals held back at once (refusalDelayMs) beyond which more are sent without delay. */
const MAX_HELD = 1000;

/** The request's document and its key (role and variables) for the memory of answers cut off for size. */
const requestKeys = new WeakMap<object, { document: object; key: string }>();
/** Requests refused for the size their answer had a moment ago: they pause their caller like a cut-off. */
const oversizeRefusals = new WeakSet<object>();

const ERRORS_FIRST = Buffer.from('{"errors":');
/**
 * Whether a small JSON answer holds errors and no data: refused before it ran (invalid, or over a limit),
 * as a legacy client (Accept: application/json) gets it, with HTTP 200. A "data": key never appears
 * unescaped inside an error's strings.
 */
function errorsOnly(buffer: Buffer): boolean {
  return (
    buffer.length < 65_536 &&
    buffer.subarray(0, ERRORS_FIRST.length).equals(ERRORS_FIRST) &&
    buffer.indexOf('"data":') === -1
  );
}

/**
 * Whether a request carries a Chairman token that EVA's own rules accept
 * (src/auth/tokens.ts verifyToken: signature, audience, issuer, lifetime, jti);
 * revocation is checked when the request runs, like every request's.
 */
async function claimsChairman(headers: Record<string, unknown> | undefined, secret: Uint8Array): Promise<boolean> {
  const value = headers?.authorization ?? headers?.Authorization;
  const token = typeof value === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1] : undefined;
  if (!token) return false;
  try {
    return (await verifiedToken(token, secret)).role === CHAIRMAN_ROLE;
  } catch {
    return false;
  }
}

/** Who a request is for the refusal pause: its Authorization header (one key for every caller without one). */
function callerOf(headers: Record<string, unknown> | undefined): string {
  const value = headers?.authorization ?? headers?.Authorization;
  return typeof value === "string" ? value : "";
}

/** The answer to a caller still in its refusal pause: 429, with when to come back. */
function slowDown(waitMs: number) {
  const error = new LimitError(
    `your last request was cut off for its size or its time: wait ${Math.ceil(waitMs / 1000)} s, then ask for fewer rows (first:) or fewer fields`,
    "SLOW_DOWN",
    429,
  );
  const buffer = Buffer.from(JSON.stringify({ errors: [error.toJSON()] }), "utf8");
  return {
    type: "buffer" as const,
    statusCode: 429,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(buffer.length),
      "retry-after": String(Math.ceil(waitMs / 1000)),
    },
    buffer,
  };
}

function busy() {
  const error = new LimitError("the API is busy with other callers' requests: try again shortly", "SERVER_BUSY", 503);
  const buffer = Buffer.from(JSON.stringify({ errors: [error.toJSON()] }), "utf8");
  return {
    type: "buffer" as const,
    statusCode: 503,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(buffer.length),
      "retry-after": "1",
    },
    buffer,
  };
}

function timeoutError(limits: ApiLimits): LimitError {
  return new LimitError(
    `the request ran out of time (statement timeout ${limits.statementTimeoutMs} ms, request budget ${limits.requestTimeoutMs} ms) and was cut off: ask for fewer rows (first:) or narrow it with condition:`,
    "QUERY_TIMEOUT",
    504,
  );
}

/** The pgSettings that bound each statement of a request. */
export function statementSettings(limits: ApiLimits): Record<string, string> {
  return { statement_timeout: String(limits.statementTimeoutMs) };
}

/**
 * A limit's refusal as the caller sees it (for maskError): EVA's limit errors
 * pass with their code; PostgreSQL's statement timeout (57014) says what
 * happened instead of an opaque id. Anything else: undefined.
 */
export function limitErrorOf(error: GraphQLError): GraphQLError | undefined {
  if (error instanceof LimitError) return error;
  const original = error.originalError;
  if (original instanceof LimitError) return original;
  if ((original as { code?: unknown } | undefined)?.code === STATEMENT_TIMEOUT) {
    return new GraphQLError("a statement ran out of time and was cut off: ask for fewer rows (first:) or narrow it", {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      originalError: original,
      extensions: { code: "QUERY_TIMEOUT" },
    });
  }
  return undefined;
}
