// Hooks for live data: a page's one query, re-read or replaced when the
// subscriptions say something changed.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, isConnected, type Operation, onConnection, subscribe } from "./api.ts";

/** Whether the websocket is connected right now. */
export function useConnected(): boolean {
  const [connected, setConnected] = useState(isConnected());
  useEffect(() => onConnection(setConnected), []);
  return connected;
}

/** Runs `query` subscription while mounted; each message goes to `next`. */
export function useSubscription<T, V>(
  query: Operation<T, V> | null,
  variables: V,
  next: (data: T) => void,
  error: (e: ApiError) => void,
  deps: unknown[],
): void {
  useEffect(() => {
    if (!query) return;
    return subscribe(query, variables, next, error);
  }, deps);
}
