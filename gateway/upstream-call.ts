/**
 * One call from the gateway to a subgraph, whether to an agency's shard
 * (shard-router/executor.ts) or to a ministry subgraph (subgraph-calls.ts):
 * bounded in time and by the client's request, and read for whether it
 * reached the subgraph at all.
 */
import type { ExecutionResult } from "@graphql-tools/utils";
import { isErrorCode } from "../contract/errors";

/**
 * Why a call's signal is aborted once the call is over. The http executor adds a listener to a signal of its own for
 * every call, and removes it only when the call's signal aborts (or is collected): left to garbage collection,
 * thousands pile up under load, and each add walks them all.
 */
const CALL_OVER = new Error("the call is over");

/**
 * What a call to a shard or a subgraph came to, as metrics and traces see it: answered, or not, and why (a reason a
 * client may read: never an address).
 */
export type CallAnswer = { ok: true } | { ok: false; reason: string; timedOut?: boolean; refused?: boolean };

/** Watches calls to one kind of upstream (metrics, tracing): runs each and sees its answer. */
export type CallObserver<Target> = <Answer extends CallAnswer>(target: Target, call: () => Promise<Answer>) => Promise<Answer>;

/** How a bounded call ended: with its value, without an answer in time (or with its client gone), or with what it threw. */
export type Bounded<T> = { value: T } | { timedOut: true } | { failure: unknown };

/**
 * Runs `work` with a signal that aborts after `timeoutMs` or when the client's request does, and settles as soon as
 * either happens. The client's signal is followed by one listener, removed when the call ends.
 */
export async function withinTime<T>(timeoutMs: number, clientSignal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<Bounded<T>> {
  const controller = new AbortController();
  const { signal } = controller;
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const cancel = () => controller.abort(clientSignal?.reason);
  if (clientSignal?.aborted) cancel();
  else clientSignal?.addEventListener("abort", cancel, { once: true });
  try {
    const aborted = signal.aborted
      ? Promise.reject(signal.reason)
      : new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    const value = await Promise.race([work(signal), aborted]);
    return signal.aborted ? { timedOut: true } : { value };
  } catch (failure) {
    return signal.aborted ? { timedOut: true } : { failure };
  } finally {
    clearTimeout(timer);
    clientSignal?.removeEventListener("abort", cancel);
    controller.abort(CALL_OVER);
  }
}

/**
 * An answer with no data and no error of a GovGraph subgraph's own (one at a path, or with one of its codes): what the
 * engine's http transport answers when the subgraph was not reached or did not answer GraphQL.
 */
export function reachedNoSubgraph(result: ExecutionResult): boolean {
  return !result.data && !(result.errors ?? []).some((e) => e.path || isErrorCode(e.extensions?.code));
}
