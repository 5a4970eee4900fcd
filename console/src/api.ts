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
}

const websocketUrl = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;

/**
 * Keeps subscriptions open across dropped connections: after a drop it
 * reconnects (backing off up to 5 s) and subscribes again with `after` set
 * to the cursor of the last event each stream received, so nothing is missed
 * or repeated. Reports its state for the "reconnecting" banner.
 */
export function openLive(session: Session, streams: LiveStream[], onState: (state: ConnectionState) => void): () => void {
  const cursors = new Map<LiveStream, string>();
  let client: Client | undefined;
  let stopped = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;

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
          attempt = 0;
          onState("live");
        },
        closed: () => {
          if (stopped || client !== current) return;
          client = undefined;
          attempt += 1;
          onState("reconnecting");
          void current.dispose();
          retry = setTimeout(connect, Math.min(5000, 250 * 2 ** attempt));
        },
      },
    });
    client = current;
    for (const stream of streams) {
      const after = cursors.get(stream);
      current.subscribe<Record<string, unknown>>(
        { query: "", variables: { ...stream.variables, ...(after ? { after } : {}) }, extensions: persisted(stream.operation) },
        {
          next: (result) => {
            if (result.data) {
              const cursor = stream.next(result.data);
              if (cursor) cursors.set(stream, cursor);
            }
            if (result.errors?.length) stream.error?.(result.errors as ApiError[]);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
    }
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void client?.dispose();
  };
}
