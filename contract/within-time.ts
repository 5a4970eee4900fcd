/**
 * A call bounded in time and by its client's request: the gateway's calls
 * to shards and subgraphs (gateway/upstream-call.ts), the opening of a
 * shard's event stream (event-stream.ts), a job lease's check of its
 * session (advisory-lease.ts).
 */

/**
 * Why a call's signal is aborted once the call is over. The gateway's http executor adds a listener to a signal of its own for
 * every call, and removes it only when the call's signal aborts (or is collected): left to garbage collection,
 * thousands pile up under load, and each add walks them all.
 */
const CALL_OVER = new Error("the call is over");

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
