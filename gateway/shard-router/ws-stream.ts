/**
 * Opens one subscription on one shard over graphql-ws, as `viewer` (the
 * event hub's own, event-hub.ts). Claims are signed when the connection opens, so a stream
 * resumed long after the request still carries fresh ones. The client does
 * not retry by itself: the fan-in (stream.ts) reconnects, resuming from the
 * positions it delivered.
 */
import type { ExecutionResult } from "@graphql-tools/utils";
import { print, type DocumentNode } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { CLAIMS_HEADER, signClaims, type Viewer } from "../../contract/claims";

export function wsStreamOpener(internalSecret: string, ttlSeconds: number) {
  return (url: string, document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer): AsyncIterable<ExecutionResult> => {
    const client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: async () => ({ [CLAIMS_HEADER]: await signClaims(viewer, internalSecret, ttlSeconds) }),
    });
    const events = client.iterate<Record<string, unknown>>({ query: print(document), variables });
    const close = async () => {
      await events.return?.();
      await client.dispose();
    };
    return {
      [Symbol.asyncIterator]: () => ({
        async next() {
          try {
            const next = await events.next();
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
