/**
 * One shard's event stream over graphql-ws (`catalogueEvents`,
 * `feedbackEvents`), for the two that follow shards: the gateway's fan-in
 * (gateway/shard-router/ws-stream.ts) and metrics' projection
 * (subgraphs/metrics/follower.ts).
 * - No retries of its own: whoever follows the stream resumes it from the
 *   last position it kept.
 * - Claims are signed as the connection opens, so a stream resumed long
 *   after its request still carries fresh ones.
 * - A stream opens with its position (STREAM_POSITION), so its first message
 *   is bounded by `openTimeoutMs`, the WebSocket handshake and graphql-ws's
 *   acknowledgement included: a shard that takes the socket and never
 *   answers (a hung process, a lost network) fails the stream like one that
 *   went away. Later messages have no bound: a quiet shard sends nothing.
 * - Ending it closes its connection, whether or not that ever opened
 *   (graphql-ws's dispose waits for a connection still opening).
 */
import { createClient, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";
import { CLAIMS_HEADER } from "./claims";
import { withinTime } from "./within-time";

export interface EventStreamOptions {
  /** The shard's /graphql endpoint (http or ws). */
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /** The signed claims the stream is opened with. */
  claims(): Promise<string>;
  openTimeoutMs: number;
}

/** The stream's messages, in order; `return()` ends it and closes its connection. */
export interface EventStream<T> extends AsyncIterableIterator<FormattedExecutionResult<T>> {
  return(): Promise<IteratorReturnResult<undefined>>;
}

export function openEventStream<T = Record<string, unknown>>({ url, query, variables, claims, openTimeoutMs }: EventStreamOptions): EventStream<T> {
  /** Until the handshake completes, the client can neither be acknowledged nor disposed of. */
  class BoundedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: openTimeoutMs });
    }
  }
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: BoundedWebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionAckWaitTimeout: openTimeoutMs,
    connectionParams: async () => ({ [CLAIMS_HEADER]: await claims() }),
  });
  const events = client.iterate<T>({ query, variables });
  const close = async () => {
    await events.return?.();
    try {
      await client.dispose();
    } catch {
      // The connection never opened: nothing is left to close.
    }
  };
  let answered = false;
  const first = async () => {
    const answer = await withinTime(openTimeoutMs, undefined, () => events.next());
    if ("timedOut" in answer) throw new Error(`no answer within ${openTimeoutMs} ms`);
    if ("failure" in answer) throw answer.failure;
    answered = true;
    return answer.value;
  };
  const stream: EventStream<T> = {
    async next() {
      try {
        const next = answered ? await events.next() : await first();
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
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
