/**
 * The console talks to the gateway with trusted documents only: it sends an
 * operation's id (extensions.persistedQuery), never its text. Queries and
 * mutations go over HTTP; subscriptions over graphql-ws, resumed from the
 * last event's cursor after a dropped connection.
 */
import { createClient, type Client } from "graphql-ws";
import type { Session } from "./session";

export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; fields?: { path: string; reason: string }[]; [key: string]: unknown };
}

export interface ApiResult<T> {
  data?: T | null;
  errors?: ApiError[];
}

const persisted = (operation: TrustedOperation) => ({ persistedQuery: { version: 1, sha256Hash: operation.id } });

export async function request<T>(session: Session, operation: TrustedOperation, variables: Record<string, unknown> = {}): Promise<ApiResult<T>> {
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(session.token ? { authorization: `Bearer ${session.token}` } : {}) },
      body: JSON.stringify({ operationName: operation.name, variables, extensions: persisted(operation) }),
    });
    return (await response.json()) as ApiResult<T>;
  } catch (error) {
    return { errors: [{ message: String(error), extensions: { code: "NETWORK" } }] };
  }
}

export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface LiveStream {
  operation: TrustedOperation;
  variables: Record<string, unknown>;
  /** Called with each event; returns the cursor to resume after it, if it has one. */
  next(data: Record<string, unknown>): string | undefined;
  error?(errors: ApiError[]): void;
  /** Called when the stream is subscribed again, after a drop or an end: a stream without a cursor has missed what happened meanwhile. */
  resumed?(): void;
}

const websocketUrl = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;

/**
 * Keeps subscriptions open across dropped connections: after a drop it
 * reconnects (backing off up to 5 s) and subscribes again with `after` set
 * to the cursor of the last event each stream received, so nothing is missed
 * or repeated. A stream the server ends while the connection stays up (the
 * gateway ends a subscription whose subgraph is unavailable, with an error
 * saying so) is subscribed again the same way, on its own. Reports its
 * state for the "reconnecting" banner.
 */
export function openLive(session: Session, streams: LiveStream[], onState: (state: ConnectionState) => void): () => void {
  const cursors = new Map<LiveStream, string>();
  let client: Client | undefined;
  let stopped = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** Streams the server ended, waiting to be subscribed again on the same connection. */
  const waiting = new Map<LiveStream, ReturnType<typeof setTimeout>>();
  const backoff = (tries: number) => Math.min(5000, 250 * 2 ** tries);

  const subscribe = (current: Client, stream: LiveStream, tries: number) => {
    const after = cursors.get(stream);
    const again = () => {
      // A dropped connection subscribes every stream again itself.
      if (waiting.has(stream) || stopped || client !== current) return;
      onState("reconnecting");
      waiting.set(
        stream,
        setTimeout(() => {
          waiting.delete(stream);
          if (stopped || client !== current) return;
          subscribe(current, stream, tries + 1);
          stream.resumed?.();
          if (waiting.size === 0) onState("live");
        }, backoff(tries + 1)),
      );
    };
    current.subscribe<Record<string, unknown>>(
      { query: "", variables: { ...stream.variables, ...(after ? { after } : {}) }, extensions: persisted(stream.operation) },
      {
        next: (result) => {
          if (result.data) {
            // Delivering again: the next end starts the backoff afresh.
            tries = 0;
            const cursor = stream.next(result.data);
            if (cursor) cursors.set(stream, cursor);
          }
          if (result.errors?.length) stream.error?.(result.errors as ApiError[]);
        },
        error: again,
        complete: again,
      },
    );
  };

  const connect = () => {
    if (stopped) return;
    onState(attempt === 0 ? "connecting" : "reconnecting");
    const current = createClient({
      url: websocketUrl(),
      connectionParams: session.token ? { authorization: `Bearer ${session.token}` } : {},
      retryAttempts: 0,
      lazy: false,
      keepAlive: 10_000,
      on: {
        connected: () => {
          if (attempt > 0) streams.forEach((stream) => stream.resumed?.());
          attempt = 0;
          onState("live");
        },
        closed: () => {
          if (stopped || client !== current) return;
          client = undefined;
          waiting.forEach(clearTimeout);
          waiting.clear();
          attempt += 1;
          onState("reconnecting");
          void current.dispose();
          retry = setTimeout(connect, backoff(attempt));
        },
      },
    });
    client = current;
    for (const stream of streams) subscribe(current, stream, 0);
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    waiting.forEach(clearTimeout);
    void client?.dispose();
  };
}
