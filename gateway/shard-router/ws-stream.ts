/**
 * Opens one subscription on one shard, as `viewer` (the event hub's own,
 * event-hub.ts), over contract/event-stream.ts: claims signed as the
 * connection opens, the opening bounded by the shard timeout, no retries
 * of its own (the fan-in, stream.ts, reconnects from the positions it
 * delivered).
 */
import type { ExecutionResult } from "@graphql-tools/utils";
import { print, type DocumentNode } from "graphql";
import { signClaims, type Viewer } from "../../contract/claims";
import { openEventStream } from "../../contract/event-stream";

export function wsStreamOpener(internalSecret: string, ttlSeconds: number, openTimeoutMs: number) {
  return (url: string, document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer): AsyncIterable<ExecutionResult> => ({
    [Symbol.asyncIterator]: () =>
      openEventStream({ url, query: print(document), variables, claims: () => signClaims(viewer, internalSecret, ttlSeconds), openTimeoutMs }) as AsyncIterator<ExecutionResult>,
  });
}
