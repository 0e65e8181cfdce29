// The Chairman's GraphQL API (spec §11, §12): PostGraphile over the `eva`
// schema only, each request running as the role its Bearer token names
// (eva_chairman or eva_viewer; no token: eva_anonymous), so RLS, grants and
// the SQL functions' own checks decide what a caller sees and may do.
import type pg from "pg";
import { makePgService } from "postgraphile/adaptors/pg";
import { defaultMaskError } from "postgraphile/grafserv";
import { GraphQLError, type GraphQLFormattedError, getOperationAST } from "postgraphile/graphql";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jwtSecret, TOKEN_ROLES, TokenRefusedError, tokenMaxSeconds } from "../src/auth/tokens.ts";
import { maxDepthRule, maxFieldsRule } from "./depth-limit.ts";
import { EvaInputEdgesPlugin, inputErrorFor } from "./input-edges.ts";
import {
  type ApiLimits,
  apiLimits,
  connectionPagePlugin,
  LimitError,
  limitErrorOf,
  refuse,
  requestLimitsPlugin,
  statementSettings,
} from "./limits.ts";
import { createWithPgClient } from "./pg-adaptor.ts";
import { EvaPgvectorCodecPlugin } from "./pgvector.ts";
import { EvaFunctionNamesPlugin, EvaSmartTagsPlugin } from "./smart-tags.ts";
import { EvaSubscriptionsPlugin } from "./subscriptions.ts";
import { decideTracingPlugin } from "./tracing.ts";
import { verifiedToken } from "./verified-tokens.ts";

/** Largest request body accepted, in bytes. */
export const MAX_REQUEST_BYTES = 100_000;
/** Deepest field nesting a query may have (introspection not counted). */
export const MAX_QUERY_DEPTH = 10;
/** The most fields one operation may select (pages, cost, response size and timeouts: see ./limits.ts). */
export const MAX_QUERY_FIELDS = 500;

const ANONYMOUS_ROLE = "eva_anonymous";

/** A refused credential: answered with HTTP 401 and this message, never run as anyone. */
export class AuthenticationError extends Error {
  readonly statusCode = 401;
}

/** Why the database refuses a token (revoked), or null; see revocationCheck. */
export type RevocationCheck = (jti: string, issuedAt: number) => Promise<string | null>;

export interface TokenRules {
  /** The longest token lifetime accepted (default tokenMaxSeconds()). */
  maxSeconds?: number;
  /** Asked once per request with a valid token; none: no revocation list. */
  revoked?: RevocationCheck;
}

/** The role and claims a request's Authorization header stands for. */
export async function pgSettingsFor(
  authorization: string | undefined,
  secret: Uint8Array = jwtSecret(),
  rules: TokenRules = {},
): Promise<Record<string, string>> {
  const { settings, revocation } = await requestIdentity(authorization, secret, rules);
  await revocation;
  return settings;
}

export interface RequestIdentity {
  /** The role and claims the request runs with. */
  settings: Record<string, string>;
  /** The revocation check, running: rejects with an AuthenticationError when the token is refused; null without a token. */
  revocation: Promise<void> | null;
}

/**
 * The role and claims of a request's Authorization header, its token verified
 * (a refused one throws an AuthenticationError), and its revocation check
 * started but not awaited: a read may run beside it (EvaRevocationPlugin).
 */
export async function requestIdentity(
  authorization: string | undefined,
  secret: Uint8Array = jwtSecret(),
  rules: TokenRules = {},
): Promise<RequestIdentity> {
  if (authorization === undefined || authorization.trim() === "") {
    return { settings: { role: ANONYMOUS_ROLE }, revocation: null };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthenticationError("the Authorization header must be `Bearer <token>`");
  const claims = await validToken(match[1], secret, rules);
  const settings: Record<string, string> = { role: claims.role, "jwt.claims.role": claims.role };
  if (claims.sub !== undefined) settings["jwt.claims.sub"] = claims.sub;
  settings["jwt.claims.jti"] = claims.jti;
  const revocation = rules.revoked ? notRevoked(claims.jti, claims.iat, rules.revoked) : null;
  // Awaited by whoever runs the request; a refusal is never an unhandled rejection meanwhile.
  revocation?.catch(() => {});
  return { settings, revocation };
}

const REMEDY = "mint a new one with `npx eva chairman token`";

/** Resolves when the database holds no revocation of the token; else rejects with an AuthenticationError. */
async function notRevoked(jti: string, issuedAt: number, revoked: RevocationCheck): Promise<void> {
  const refused = await revoked(jti, issuedAt);
  if (refused === "revoked") throw new AuthenticationError(`the token ${jti} was revoked: ${REMEDY}`);
  if (refused) throw new AuthenticationError(`the token was issued before \`eva chairman revoke --all\`: ${REMEDY}`);
}

/** A token's claims when it is valid (src/auth/tokens.ts); else a 401. Revocation: see notRevoked. */
async function validToken(token: string, secret: Uint8Array, rules: TokenRules) {
  try {
    return await verifiedToken(token, secret, rules.maxSeconds);
  } catch (error) {
    if (error instanceof TokenRefusedError) throw new AuthenticationError(`${error.message}: ${REMEDY}`);
    throw error;
  }
}

/**
 * The revocation list, asked on the API's own pool as its login role before
 * the request's role is set: one prepared statement, two primary-key probes
 * (eva_private.fn_token_refused).
 */
export function revocationCheck(pool: pg.Pool): RevocationCheck {
  return async (jti, issuedAt) => {
    const { rows } = await pool.query<{ refused: string | null }>({
      name: "eva_token_refused",
      text: "select eva_private.fn_token_refused($1::uuid, to_timestamp($2)) as refused",
      values: [jti, issuedAt],
    });
    return rows[0]?.refused ?? null;
  };
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * EVA's own errors (SQLSTATE EV***) reach the caller verbatim with their code
 * and hint; a permission refusal says so without naming SQL objects; any other
 * database or server error becomes an opaque id (the details go to the log).
 */
export function maskError(error: GraphQLError): GraphQLError | GraphQLFormattedError {
  const limited = limitErrorOf(error);
  if (limited) return limited;
  const original = error.originalError;
  const code = pgCode(original);
  const at = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
  if (original && code?.startsWith("EV")) {
    const hint = (original as { hint?: unknown }).hint;
    return new GraphQLError(original.message, {
      ...at,
      originalError: original,
      extensions: { code, ...(typeof hint === "string" ? { hint } : {}) },
    });
  }
  if (original && code === "42501") {
    return new GraphQLError("permission denied: your role may not do this", {
      ...at,
      originalError: original,
      extensions: { code: "FORBIDDEN" },
    });
  }
  // PostgreSQL's refusal of a value (constraint, type, NUL): EV400 naming the field.
  const input = inputErrorFor(error);
  if (input) return input;
  return defaultMaskError(error);
}

export interface EvaApiPreset {
  preset: GraphileConfig.Preset;
  /** What the sign-in exchange (graphql/sign-in.ts) mints and checks with. */
  auth: { pool: pg.Pool; secret: Uint8Array; maxSeconds: number };
  /** Ends the database pool (postgraphile's release() leaves services alone). */
  release(): Promise<void>;
}

export function makePreset(
  connectionString: string,
  options: { secret?: Uint8Array; maxTokenSeconds?: number; limits?: Partial<ApiLimits> } = {},
): EvaApiPreset {
  const secret = options.secret ?? jwtSecret();
  const limits = apiLimits(process.env, options.limits);
  const pgService = makePgService({
    connectionString,
    // marketing: content, variants, reviews, bandits, platform accounts (read under RLS; the Chairman acts through functions).
    schemas: ["eva", "marketing"],
    // The schema shows what the widest API role may do (grants as eva_chairman,
    // not the login role's, which may be a superuser); RLS, grants and the
    // functions' own checks decide each request at run time.
    pgSettingsForIntrospection: { role: TOKEN_ROLES.chairman },
  });
  // One round trip to open a request's transaction with its settings (graphql/pg-adaptor.ts).
  pgService.adaptor = { ...pgService.adaptor, createWithPgClient };
  const pool = (pgService.adaptorSettings as { pool: pg.Pool }).pool;
  const tokenRules = { maxSeconds: options.maxTokenSeconds ?? tokenMaxSeconds(), revoked: revocationCheck(pool) };
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      // First, so that it wraps every other execute middleware (the introspection cache among them).
      revocationPlugin,
      EvaSmartTagsPlugin,
      EvaPgvectorCodecPlugin,
      EvaFunctionNamesPlugin,
      // Subscription.evaEvent and Subscription.decisionQueueChanged, over the websocket (LISTEN eva_events).
      EvaSubscriptionsPlugin,
      // EV400 for refused values, NUL refused by name, EV404 for an update/delete that matches nothing.
      EvaInputEdgesPlugin,
      // The Chairman's decide mutation as an OpenTelemetry span (graphql/tracing.ts).
      decideTracingPlugin(pool),
      // Pages, cost in rows, introspection, response size and time limits.
      connectionPagePlugin(limits),
      requestLimitsPlugin(limits, secret),
      {
        name: "EvaQueryDepthLimitPlugin",
        version: "1.0.0",
        grafserv: {
          middleware: {
            setPreset(next, event) {
              event.validationRules.push(maxDepthRule(MAX_QUERY_DEPTH), maxFieldsRule(MAX_QUERY_FIELDS));
              return next();
            },
          },
        },
      },
    ],
    pgServices: [pgService],
    grafast: {
      timeouts: { execution: limits.requestTimeoutMs },
      async context(requestContext) {
        const authorization =
          requestContext.http?.getHeader("authorization") ?? connectionParam(requestContext.ws?.connectionParams);
        if (!requestContext.http || requestContext.ws) {
          return {
            pgSettings: { ...(await pgSettingsFor(authorization, secret, tokenRules)), ...statementSettings(limits) },
          };
        }
        // Over HTTP the revocation check runs beside a read (EvaRevocationPlugin), not before it.
        const { settings, revocation } = await requestIdentity(authorization, secret, tokenRules);
        return { pgSettings: { ...settings, ...statementSettings(limits) }, [REVOCATION]: revocation };
      },
    },
    grafserv: {
      graphqlPath: "/graphql",
      graphiqlPath: "/graphiql",
      eventStreamPath: "/graphql/stream",
      websockets: true,
      maxRequestLength: MAX_REQUEST_BYTES,
      // A response whose data is already JSON text (a cached introspection answer, graphql/limits.ts)
      // is sent as it is; any other is stringified as before.
      outputDataAsString: true,
      maskError,
    },
  };
  return {
    preset,
    auth: { pool, secret, maxSeconds: tokenRules.maxSeconds },
    release: async () => pgService.release?.(),
  };
}

/** Where an HTTP request's context keeps its token's revocation check (requestIdentity). */
const REVOCATION = "evaRevocation";

/** The refusal of a revoked token, or null when the check passed; any other failure is rethrown. */
async function revocationOutcome(check: Promise<void>): Promise<LimitError | null> {
  try {
    await check;
    return null;
  } catch (error) {
    if (error instanceof AuthenticationError) return new LimitError(error.message, "UNAUTHENTICATED", 401);
    throw error;
  }
}

/**
 * A query (which writes nothing) runs beside its token's revocation check and
 * its answer is dropped for a 401 if the token is revoked; a mutation or a
 * subscription starts only once the check has passed. Saves the check's round
 * trip on every read of the API.
 */
const revocationPlugin: GraphileConfig.Plugin = {
  name: "EvaRevocationPlugin",
  version: "1.0.0",
  grafast: {
    middleware: {
      async execute(next, event) {
        const { args } = event;
        const check = (args.contextValue as { [REVOCATION]?: Promise<void> | null })[REVOCATION];
        if (!check) return next();
        const request = args.requestContext?.http as object | undefined;
        if (getOperationAST(args.document, args.operationName)?.operation === "query") {
          const [refused, result] = await Promise.all([revocationOutcome(check), next()]);
          return refused ? refuse(request, refused) : result;
        }
        const refused = await revocationOutcome(check);
        return refused ? refuse(request, refused) : next();
      },
      async subscribe(next, event) {
        const { args } = event;
        const check = (args.contextValue as { [REVOCATION]?: Promise<void> | null })[REVOCATION];
        const refused = check ? await revocationOutcome(check) : null;
        return refused ? refuse(args.requestContext?.http as object | undefined, refused) : next();
      },
    },
  },
};

/** The Authorization a websocket client sends in its connection_init payload. */
function connectionParam(params: Record<string, unknown> | undefined | null): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}
