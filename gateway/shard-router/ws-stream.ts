/**
 * Opens one subscription on one shard over graphql-ws, as `viewer` (the
 * event hub's own, event-hub.ts). Claims are signed when the connection opens, so a stream
 * resumed long after the request still carries fresh ones. The client does
 * not retry by itself: the fan-in (stream.ts) reconnects, resuming from the
 * positions it delivered.
 *
 * A shard's stream opens with its position (STREAM_POSITION), so its first
 * message is bounded by the shard timeout: a shard that takes the socket and
 * never answers (a hung process, a lost network) fails its stream and is
 * reconnected like one that went away, where it would have held every
 * subscriber's position marker, and with it every other shard's events.
 * Later messages have no bound: a quiet shard sends nothing.
 */
import type { ExecutionResult } from "@graphql-tools/utils";
import { print, type DocumentNode } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { CLAIMS_HEADER, signClaims, type Viewer } from "../../contract/claims";
import { withinTime } from "../upstream-call";

export function wsStreamOpener(internalSecret: string, ttlSeconds: number, firstMessageTimeoutMs: number) {
  /** The opening handshake bounded too: until it completes, the client can neither be acknowledged nor disposed of. */
  class BoundedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: firstMessageTimeoutMs });
    }
  }
  return (url: string, document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer): AsyncIterable<ExecutionResult> => {
    const client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: BoundedWebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionAckWaitTimeout: firstMessageTimeoutMs,
      connectionParams: async () => ({ [CLAIMS_HEADER]: await signClaims(viewer, internalSecret, ttlSeconds) }),
    });
    const events = client.iterate<Record<string, unknown>>({ query: print(document), variables });
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
      const answer = await withinTime(firstMessageTimeoutMs, undefined, () => events.next());
      if ("timedOut" in answer) throw new Error(`no answer within ${firstMessageTimeoutMs} ms`);
      if ("failure" in answer) throw answer.failure;
      answered = true;
      return answer.value;
    };
    return {
      [Symbol.asyncIterator]: () => ({
        async next() {
          try {
            const next = answered ? await events.next() : await first();
            if (next.done) await close();
            return next as IteratorResult<ExecutionResult>;
          } catch (error) {
            await close();
            throw error;
          }
        },
        async return() {
          await close();
          return { value: undefined, done: true };
        },
      }),
    };
  };
}
