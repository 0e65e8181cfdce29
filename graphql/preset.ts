// The Chairman's GraphQL API (spec §11, §12): PostGraphile over the `eva`
// schema only, each request running as the role its Bearer token names
// (eva_chairman or eva_viewer; no token: eva_anonymous), so RLS, grants and
// the SQL functions' own checks decide what a caller sees and may do.
import type pg from "pg";
import { makePgService } from "postgraphile/adaptors/pg";
import { defaultMaskError } from "postgraphile/grafserv";
import { GraphQLError, type GraphQLFormattedError } from "postgraphile/graphql";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jwtSecret, TOKEN_ROLES, TokenRefusedError, tokenMaxSeconds, verifyToken } from "../src/auth/tokens.ts";
import { maxDepthRule, maxFieldsRule } from "./depth-limit.ts";
import { EvaInputEdgesPlugin, inputErrorFor } from "./input-edges.ts";
import {
  type ApiLimits,
  apiLimits,
  connectionPagePlugin,
  limitErrorOf,
  requestLimitsPlugin,
  statementSettings,
} from "./limits.ts";
import { EvaFunctionNamesPlugin, EvaSmartTagsPlugin } from "./smart-tags.ts";
import { EvaSubscriptionsPlugin } from "./subscriptions.ts";
import { decideTracingPlugin } from "./tracing.ts";

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
  if (authorization === undefined || authorization.trim() === "") return { role: ANONYMOUS_ROLE };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthenticationError("the Authorization header must be `Bearer <token>`");
  const claims = await acceptedToken(match[1], secret, rules);
  const settings: Record<string, string> = { role: claims.role, "jwt.claims.role": claims.role };
  if (claims.sub !== undefined) settings["jwt.claims.sub"] = claims.sub;
  settings["jwt.claims.jti"] = claims.jti;
  return settings;
}

/** A token's claims when it is valid (src/auth/tokens.ts) and not revoked; else a 401. */
async function acceptedToken(token: string, secret: Uint8Array, rules: TokenRules) {
  const remedy = "mint a new one with `npx eva chairman token`";
  try {
    const claims = await verifyToken(token, { secret, ...(rules.maxSeconds ? { maxSeconds: rules.maxSeconds } : {}) });
    const refused = await rules.revoked?.(claims.jti, claims.iat);
    if (refused === "revoked") throw new TokenRefusedError(`the token ${claims.jti} was revoked`);
    if (refused) throw new TokenRefusedError("the token was issued before `eva chairman revoke --all`");
    return claims;
  } catch (error) {
    if (error instanceof TokenRefusedError) throw new AuthenticationError(`${error.message}: ${remedy}`);
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
    schemas: ["eva", "marketing"],
    // The schema shows what the widest API role may do (grants as eva_chairman,
    // not the login role's, which may be a superuser); RLS, grants and the
    // functions' own checks decide each request at run time.
    pgSettingsForIntrospection: { role: TOKEN_ROLES.chairman },
  });
  const pool = (pgService.adaptorSettings as { pool: pg.Pool }).pool;
  const tokenRules = { maxSeconds: options.maxTokenSeconds ?? tokenMaxSeconds(), revoked: revocationCheck(pool) };
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      EvaSmartTagsPlugin,
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
        return {
          pgSettings: { ...(await pgSettingsFor(authorization, secret, tokenRules)), ...statementSettings(limits) },
        };
      },
    },
    grafserv: {
      graphqlPath: "/graphql",
      graphiqlPath: "/graphiql",
      eventStreamPath: "/graphql/stream",
      websockets: true,
      maxRequestLength: MAX_REQUEST_BYTES,
      maskError,
    },
  };
  return {
    preset,
    auth: { pool, secret, maxSeconds: tokenRules.maxSeconds },
    release: async () => pgService.release?.(),
  };
}

/** The Authorization a websocket client sends in its connection_init payload. */
function connectionParam(params: Record<string, unknown> | undefined | null): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}
