/**
 * graphql-ws clients as GovGraph opens them to a subgraph: a shard's event
 * stream (event-stream.ts), a subscription the gateway passes to a subgraph
 * that is not sharded (gateway/ws-transport.ts).
 * - Claims are signed as each connection opens, so one opened (or retried)
 *   long after its request still carries fresh ones.
 * - The opening is bounded, the WebSocket handshake and graphql-ws's
 *   acknowledgement each by `openTimeoutMs`: a subgraph that takes the socket
 *   and never answers (a hung process, a lost network) fails the connection
 *   like one that refused it. Without it, the client waited for ever, and so
 *   did disposing of it (graphql-ws's dispose awaits a connection still
 *   opening): a stream could not even be closed.
 */
import { createClient, type Client, type FormattedExecutionResult, type SubscribePayload } from "graphql-ws";
import WebSocket from "ws";
import { CLAIMS_HEADER } from "./claims";

export interface WsClientOptions {
  /** The subgraph's /graphql endpoint (http or ws). */
  url: string;
  /** The signed claims each connection opens with. */
  claims(): Promise<string>;
  openTimeoutMs: number;
  /** Reconnections graphql-ws makes by itself (default none: the caller resumes). */
  retryAttempts?: number;
}

export function boundedWsClient({ url, claims, openTimeoutMs, retryAttempts = 0 }: WsClientOptions): Client {
  class BoundedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: openTimeoutMs });
    }
  }
  return createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: BoundedWebSocket,
    lazy: true,
    retryAttempts,
    connectionAckWaitTimeout: openTimeoutMs,
    connectionParams: async () => ({ [CLAIMS_HEADER]: await claims() }),
  });
}

/** One operation's results, in order; `return()` ends it and closes its client. */
export interface OneOperation<T> extends AsyncIterableIterator<FormattedExecutionResult<T>> {
  return(): Promise<IteratorReturnResult<undefined>>;
}

/**
 * Runs one operation on a client of its own: the client is closed when the results end, fail, or the caller stops
 * reading, whether or not its connection ever opened.
 */
export function runAlone<T>(client: Client, payload: SubscribePayload): OneOperation<T> {
  const results = client.iterate<T>(payload);
  const close = async () => {
    await results.return?.();
    try {
      await client.dispose();
    } catch {
      // The connection never opened: nothing is left to close.
    }
  };
  const operation: OneOperation<T> = {
    async next() {
      try {
        const next = await results.next();
        if (next.done) await close();
        return next as IteratorResult<FormattedExecutionResult<T>>;
      } catch (error) {
        await close();
        throw error;
      }
    },
    async return() {
      await close();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => operation,
  };
  return operation;
}
