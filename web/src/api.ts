// The dashboard's only way to EVA: its GraphQL API over HTTP (queries,
// mutations) and its websocket (subscriptions, graphql-ws), sending the session
// token as `Authorization: Bearer`. The token lives in sessionStorage (this tab
// only, gone when it closes); no cookie is ever set, so no request is made on
// the Chairman's behalf by another site (no CSRF surface).
import { type Client, createClient } from "graphql-ws";
import type { TypedDocumentString } from "./gql/graphql.ts";

/** An operation from graphql(`...`) (web/src/gql, generated from graphql/schema.graphql): its result and variables typed. */
export type Operation<R, V> = TypedDocumentString<R, V>;

/** A connection's nodes without the nulls GraphQL's list type allows (PostGraphile never sends them for rows). */
export function present<T>(nodes: readonly (T | null)[]): T[] {
  return nodes.filter((n): n is T => n !== null);
}

const SESSION_KEY = "eva.session";

export type Role = "chairman" | "viewer" | "other";

export interface Session {
  token: string;
  role: Role;
  /** Seconds since the epoch (the token's exp claim). */
  expiresAt: number;
  jti: string | null;
}

/** A refusal from the API: its message and EVA's code (EV409, EV428, FORBIDDEN…). */
export class ApiError extends Error {
  readonly code: string | undefined;
  readonly hint: string | undefined;
  constructor(message: string, code?: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

/** The claims of a token, read for display only: the server verifies it on every request. */
export function sessionFromToken(token: string): Session {
  const part = token.split(".")[1];
  if (!part) throw new Error("that is not a token: a token has three parts separated by dots");
  let claims: { role?: unknown; exp?: unknown; jti?: unknown };
  try {
    claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    throw new Error("that is not a token EVA issued");
  }
  const role = claims.role === "eva_chairman" ? "chairman" : claims.role === "eva_viewer" ? "viewer" : "other";
  const expiresAt = typeof claims.exp === "number" ? claims.exp : 0;
  if (expiresAt * 1000 <= Date.now())
    throw new Error("that token has expired: mint a new one with npx eva chairman token");
  return { token, role, expiresAt, jti: typeof claims.jti === "string" ? claims.jti : null };
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(SESSION_KEY);
  if (!token) return null;
  try {
    return sessionFromToken(token);
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
  closeSocket();
}

/** Exchanges the one-time code of `eva start`'s link for a session token (POST, so the code is never in a URL we request). */
export async function redeemCode(code: string): Promise<Session> {
  const response = await fetch("/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
    credentials: "omit",
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!response.ok || !body.token) throw new Error(body.error ?? `sign-in failed (HTTP ${response.status})`);
  return sessionFromToken(body.token);
}

let onUnauthorized: () => void = () => {};
/** Called when the API refuses the token (expired, revoked): the app goes back to sign-in. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; hint?: string } }[];
}

function firstError(errors: GraphQLResponse<unknown>["errors"]): ApiError | null {
  const e = errors?.[0];
  return e ? new ApiError(e.message, e.extensions?.code, e.extensions?.hint) : null;
}

/** One GraphQL request (a page's query, or a mutation) as the signed-in role. */
export async function gql<T, V>(operation: Operation<T, V>, variables?: V): Promise<T> {
  const query = operation.toString();
  const session = loadSession();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      ...(session ? { authorization: `Bearer ${session.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: variables ?? {} }),
    credentials: "omit",
  });
  if (response.status === 401) {
    clearSession();
    onUnauthorized();
    throw new ApiError("your session has ended: sign in again", "UNAUTHENTICATED");
  }
  const body = (await response.json().catch(() => ({}))) as GraphQLResponse<T>;
  const error = firstError(body.errors);
  if (error) throw error;
  if (!body.data) throw new ApiError(`the API answered HTTP ${response.status} without data`);
  return body.data;
}

let socket: Client | null = null;
let socketToken: string | null = null;
type ConnectionListener = (connected: boolean) => void;
const connectionListeners = new Set<ConnectionListener>();
let connectedNow = false;

/** Whether the websocket is connected at this moment. */
export function isConnected(): boolean {
  return connectedNow;
}

function closeSocket(): void {
  connectedNow = false;
  socket?.dispose();
  socket = null;
  socketToken = null;
}

function client(): Client {
  const session = loadSession();
  if (socket && socketToken === (session?.token ?? null)) return socket;
  closeSocket();
  socketToken = session?.token ?? null;
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  socket = createClient({
    url: url.toString(),
    // The token goes in the connection_init message, never in the URL.
    connectionParams: () => {
      const current = loadSession();
      return current ? { authorization: `Bearer ${current.token}` } : {};
    },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // Back soon after a drop: 0.5 s, 1 s, 2 s … at most 5 s between attempts.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000))),
    lazy: true,
    // A page that re-subscribes (a new cursor, a new page) keeps the socket: no reconnect churn in between.
    lazyCloseTimeout: 3000,
    on: {
      connected: () => {
        connectedNow = true;
        for (const l of connectionListeners) l(true);
      },
      closed: () => {
        connectedNow = false;
        for (const l of connectionListeners) l(false);
      },
    },
  });
  return socket;
}

// When the device goes offline the socket is dropped at once (not after a timeout) and re-made when it is back;
// subscriptions resume from their cursors (see pages/events.tsx).
addEventListener("offline", () => socket?.terminate());

/** Whether the live connection is up; the listener is called on every change. Returns the unsubscribe. */
export function onConnection(listener: ConnectionListener): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** A live subscription: `next` gets each message's data; returns the function that ends it. */
export function subscribe<T, V>(
  operation: Operation<T, V>,
  variables: V,
  next: (data: T) => void,
  error: (e: ApiError) => void,
): () => void {
  return client().subscribe<T>(
    { query: operation.toString(), variables: variables as Record<string, unknown> },
    {
      next: (message) => {
        const e = firstError(message.errors as GraphQLResponse<unknown>["errors"]);
        if (e) error(e);
        else if (message.data) next(message.data as T);
      },
      error: (e) => {
        const list = Array.isArray(e) ? (e as GraphQLResponse<unknown>["errors"]) : undefined;
        error(firstError(list) ?? new ApiError(e instanceof Error ? e.message : "the live connection failed"));
      },
      complete: () => {},
    },
  );
}
