// Hooks for live data: a page's one query, re-read or replaced when the
// subscriptions say something changed.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, isConnected, onConnection, subscribe } from "./api.ts";

/** Whether the websocket is connected right now. */
export function useConnected(): boolean {
  const [connected, setConnected] = useState(isConnected());
  useEffect(() => onConnection(setConnected), []);
  return connected;
}

/** Runs `query` subscription while mounted; each message goes to `next`. */
export function useSubscription<T>(
  query: string | null,
  variables: Record<string, unknown>,
  next: (data: T) => void,
  error: (e: ApiError) => void,
  deps: unknown[],
): void {
  useEffect(() => {
    if (!query) return;
    return subscribe<T>(query, variables, next, error);
  }, deps);
}
