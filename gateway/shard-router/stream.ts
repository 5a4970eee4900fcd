/**
 * The STREAM strategy: subscriptions fanned in. One upstream subscription
 * per shard, merged into one stream as events arrive.
 *
 * Every shard event carries the shard's sequence number as its cursor. The
 * gateway keeps each shard's last delivered position and gives every event
 * it forwards a gateway cursor recording all of them; a client that
 * reconnects with `after: <cursor>` gets from each shard exactly what
 * followed. When a shard's stream fails or ends (the shard restarts, its
 * connection drops), the gateway reconnects with exponential backoff and
 * resumes from the last position it delivered for that shard, so across a
 * shard restart no event is lost and none is delivered twice.
 *
 * Every shard stream first sends a position marker (STREAM_POSITION). The
 * gateway records each; once every shard has reported (or failed), it sends
 * the subscriber one marker of its own whose cursor records all of them, so
 * a subscriber whose connection drops before any event resumes without a
 * gap. Events that arrive before it are held until it is sent; later
 * markers (reconnections) are not forwarded.
 */
import type { ExecutionResult } from "@graphql-tools/utils";
import { GraphQLError, type DocumentNode } from "graphql";
import { backoffDelay } from "../../contract/backoff";
import { ErrorCode } from "../../contract/errors";
import type { Logger } from "../../contract/logger";
import { POSITION_MARKER } from "../../contract/shard-directives";
import { encodeGatewayCursor, SHARD_FIELDS, type Positions } from "./connection";
import type { Json } from "./merge";

export type OpenStream = (url: string, document: DocumentNode, variables: Record<string, unknown>) => AsyncIterable<ExecutionResult>;

export interface FanInOptions {
  subgraph: string;
  responseKey: string;
  /** Per shard: the document and variables of its subscription; `afterVariable` receives its position. */
  calls: { agencyCode: string; document: DocumentNode; variables: Record<string, unknown> }[];
  afterVariable: string;
  positions: Positions;
  cursorKeys: string[];
  /** The current URL of a shard (shards may move while a stream is open). */
  urlOf(agencyCode: string): string | undefined;
  open: OpenStream;
  log: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** Errors the subscriber gets first, the stream going on (an agency named that has no shard). */
  notices?: GraphQLError[];
}

type JsonObject = { [key: string]: Json };

/** graphql-ws rejects with an Error, a CloseEvent or a list of GraphQL errors. */
function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join("; ");
  const close = error as { code?: number; reason?: string; message?: string };
  if (typeof close?.message === "string") return close.message;
  if (typeof close?.code === "number") return `connection closed (${close.code}${close.reason ? `: ${close.reason}` : ""})`;
  return String(error);
}

export function fanIn(options: FanInOptions): AsyncIterableIterator<ExecutionResult> {
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 100, maxMs: 5000 };
  const positions: Positions = { ...options.positions };
  const queue: ExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  const upstreams = new Set<AsyncIterator<ExecutionResult>>();
  const timers = new Set<NodeJS.Timeout>();

  const push = (result: ExecutionResult) => {
    queue.push(result);
    wake?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolveSleep) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolveSleep();
      }, ms);
      timers.add(timer);
    });

  /** An event as the subscriber selected it, its cursor recording every shard's position. */
  const deliver = (event: JsonObject) => {
    const cursor = encodeGatewayCursor(positions);
    const visible: JsonObject = { ...event };
    delete visible[SHARD_FIELDS.cursor];
    delete visible[SHARD_FIELDS.type];
    for (const key of options.cursorKeys) visible[key] = cursor;
    push({ data: { [options.responseKey]: visible } });
  };

  // The subscriber's first message: a marker, once every shard has reported its position (or failed).
  // Events that arrive before are held, so that the marker's cursor precedes them all.
  let announced = false;
  let marker: JsonObject | undefined;
  const reported = new Set<string>();
  const held: [string, JsonObject][] = [];
  /** Where each shard's stream resumes: after the last event received, delivered or held. */
  const resumeFrom: Positions = { ...options.positions };

  const deliverEvent = (agencyCode: string, event: JsonObject) => {
    positions[agencyCode] = String(event[SHARD_FIELDS.cursor]);
    deliver(event);
  };
  const report = (agencyCode: string) => {
    reported.add(agencyCode);
    if (announced || !options.calls.every((call) => reported.has(call.agencyCode))) return;
    announced = true;
    if (marker) deliver(marker);
    for (const [code, event] of held.splice(0)) deliverEvent(code, event);
  };

  const forward = (agencyCode: string, event: JsonObject) => {
    const cursor = String(event[SHARD_FIELDS.cursor]);
    resumeFrom[agencyCode] = cursor;
    if (event[SHARD_FIELDS.type] === POSITION_MARKER) {
      if (!held.some(([code]) => code === agencyCode)) positions[agencyCode] = cursor;
      marker ??= event;
      report(agencyCode);
    } else if (announced) {
      deliverEvent(agencyCode, event);
    } else {
      held.push([agencyCode, event]);
    }
  };

  const pump = async ({ agencyCode, document, variables }: FanInOptions["calls"][number]) => {
    let attempt = 0;
    let reportedDown = false;
    while (!stopped) {
      const url = options.urlOf(agencyCode);
      let failure = url ? "" : "no shard is registered for it";
      if (url) {
        const upstream = options.open(url, document, { ...variables, [options.afterVariable]: resumeFrom[agencyCode] })[Symbol.asyncIterator]();
        upstreams.add(upstream);
        try {
          for (let next = await upstream.next(); !next.done && !stopped; next = await upstream.next()) {
            const event = (next.value.data as JsonObject | null | undefined)?.[options.responseKey];
            if (event && typeof event === "object" && !Array.isArray(event)) {
              attempt = 0;
              reportedDown = false;
              forward(agencyCode, event);
            } else if (next.value.errors?.length) {
              push({ errors: next.value.errors.map((e) => new GraphQLError(e.message, { extensions: { ...e.extensions, agencyCode, subgraph: options.subgraph } })) });
            }
          }
          failure = "its stream ended";
        } catch (error) {
          failure = describeFailure(error);
        } finally {
          upstreams.delete(upstream);
        }
      }
      if (stopped) return;
      report(agencyCode);
      options.log.warn({ shard: `${options.subgraph}:${agencyCode}`, attempt, failure }, "shard stream interrupted; resuming");
      if (!reportedDown) {
        reportedDown = true;
        push({
          errors: [
            new GraphQLError(`The ${options.subgraph} stream of ${agencyCode} was interrupted (${failure}); resuming from its last event.`, {
              extensions: { code: ErrorCode.SHARD_UNAVAILABLE, agencyCode, subgraph: options.subgraph },
            }),
          ],
        });
      }
      await sleep(backoffDelay(attempt++, initialMs, maxMs));
    }
  };

  const stop = async () => {
    stopped = true;
    timers.forEach(clearTimeout);
    wake?.();
    await Promise.allSettled([...upstreams].map((upstream) => upstream.return?.()));
  };

  if (options.notices?.length) push({ errors: options.notices });
  options.calls.forEach((call) => void pump(call));

  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      while (queue.length === 0 && !stopped) await new Promise<void>((resolveWake) => (wake = resolveWake));
      wake = undefined;
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      await stop();
      return { value: undefined, done: true };
    },
    async throw(error) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
