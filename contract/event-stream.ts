/**
 * One shard's event stream over graphql-ws (`catalogueEvents`,
 * `feedbackEvents`), for the two that follow shards: the gateway's fan-in
 * (gateway/shard-router/ws-stream.ts) and metrics' projection
 * (subgraphs/metrics/follower.ts). On a client of its own (ws-client.ts:
 * claims signed as it connects, its opening bounded), with no retries: whoever
 * follows the stream resumes it from the last position it kept.
 *
 * A stream opens with its position (STREAM_POSITION), so its first message
 * is bounded by `openTimeoutMs` too: a shard that acknowledges the
 * connection and never sends it fails the stream like one that went away.
 * Later messages have no bound: a quiet shard sends nothing.
 */
import { boundedWsClient, runAlone, type OneOperation } from "./ws-client";
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

export function openEventStream<T = Record<string, unknown>>({ url, query, variables, claims, openTimeoutMs }: EventStreamOptions): OneOperation<T> {
  const operation = runAlone<T>(boundedWsClient({ url, claims, openTimeoutMs }), { query, variables });
  let answered = false;
  const stream: OneOperation<T> = {
    async next() {
      if (answered) return operation.next();
      const first = await withinTime(openTimeoutMs, undefined, () => operation.next());
      if ("value" in first) {
        answered = true;
        return first.value;
      }
      await operation.return();
      throw "failure" in first ? first.failure : new Error(`no answer within ${openTimeoutMs} ms`);
    },
    return: () => operation.return(),
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
