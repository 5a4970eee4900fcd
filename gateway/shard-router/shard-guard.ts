/**
 * Protects each shard from the gateway's own traffic:
 * - a circuit breaker: a shard the health checks mark DOWN, or that could
 *   not be reached `failureThreshold` times in a row, is not called for `cooldownMs` (or
 *   until a health probe sees it ready again): its part answers
 *   SHARD_UNAVAILABLE at once instead of after the full timeout;
 * - a concurrency limit: at most `concurrency` calls in flight per shard,
 *   the others wait their turn within their own timeout.
 */
export interface ShardGuardOptions {
  concurrency: number;
  failureThreshold: number;
  cooldownMs: number;
  /** The health checks' latest word on a shard URL. */
  healthOf?: (url: string) => { state: string; checkedAt: Date | null };
}

interface ShardState {
  inFlight: number;
  waiting: (() => void)[];
  failures: number;
  openedAt: number | null;
}

export class ShardGuard {
  private readonly shards = new Map<string, ShardState>();

  constructor(private readonly options: ShardGuardOptions) {}

  private stateOf(url: string): ShardState {
    let state = this.shards.get(url);
    if (!state) {
      state = { inFlight: 0, waiting: [], failures: 0, openedAt: null };
      this.shards.set(url, state);
    }
    return state;
  }

  /** Why the shard must not be called now, or null. */
  refusal(url: string): string | null {
    const health = this.options.healthOf?.(url);
    if (health?.state === "DOWN") return "it is down (health checks); it is called again once it is ready";
    const state = this.stateOf(url);
    if (state.openedAt === null) return null;
    const recovered = health?.state === "UP" && health.checkedAt !== null && health.checkedAt.getTime() > state.openedAt;
    if (recovered || Date.now() - state.openedAt >= this.options.cooldownMs) {
      // Half-open: the next call is a trial; one more failure opens the breaker again.
      state.openedAt = null;
      state.failures = this.options.failureThreshold - 1;
      return null;
    }
    return `it could not be reached ${this.options.failureThreshold} times in a row; it is called again within ${Math.ceil(this.options.cooldownMs / 1000)} s`;
  }

  /** Waits for a free slot (or the signal's abort), and returns the function that frees it. */
  async acquire(url: string, signal: AbortSignal): Promise<() => void> {
    const state = this.stateOf(url);
    while (state.inFlight >= this.options.concurrency) {
      signal.throwIfAborted();
      await new Promise<void>((resolveTurn) => {
        const turn = () => {
          signal.removeEventListener("abort", turn);
          const position = state.waiting.indexOf(turn);
          if (position >= 0) state.waiting.splice(position, 1);
          resolveTurn();
        };
        state.waiting.push(turn);
        signal.addEventListener("abort", turn, { once: true });
      });
    }
    signal.throwIfAborted();
    state.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.inFlight -= 1;
      state.waiting.shift()?.();
    };
  }

  /** Records the outcome of a call: consecutive failures open the breaker. */
  record(url: string, ok: boolean): void {
    const state = this.stateOf(url);
    if (ok) {
      state.failures = 0;
      return;
    }
    state.failures += 1;
    if (state.failures >= this.options.failureThreshold) state.openedAt = Date.now();
  }
}
