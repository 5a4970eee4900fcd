/**
 * Shard health: a background probe of every shard's /readiness, so the
 * registry can say which shards are up, how fast they answer, and why one is
 * down.
 */
import type { RoutingTable } from "../shard-router/routing-table";

export type ShardState = "UP" | "DOWN" | "UNKNOWN";

export interface ShardHealth {
  state: ShardState;
  latencyMs: number | null;
  lastError: string | null;
  checkedAt: Date | null;
}

const UNKNOWN: ShardHealth = { state: "UNKNOWN", latencyMs: null, lastError: null, checkedAt: null };

export class HealthMonitor {
  private readonly health = new Map<string, ShardHealth>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly routing: RoutingTable,
    private readonly timeoutMs: number,
  ) {}

  of(url: string): ShardHealth {
    return this.health.get(url) ?? UNKNOWN;
  }

  /** Probes every shard once. */
  async probe(): Promise<void> {
    const urls = new Set(this.routing.subgraphs().flatMap((subgraph) => [...this.routing.shardsOf(subgraph).values()]));
    await Promise.all([...urls].map((url) => this.probeOne(url)));
    for (const url of this.health.keys()) if (!urls.has(url)) this.health.delete(url);
  }

  async probeOne(url: string): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch(url.replace(/\/graphql$/, "/readiness"), { signal: AbortSignal.timeout(this.timeoutMs) });
      const latencyMs = Math.round(performance.now() - started);
      this.health.set(url, {
        state: response.ok ? "UP" : "DOWN",
        latencyMs,
        lastError: response.ok ? this.of(url).lastError : `readiness answered HTTP ${response.status}`,
        checkedAt: new Date(),
      });
    } catch (error) {
      this.health.set(url, { state: "DOWN", latencyMs: null, lastError: error instanceof Error ? error.message : String(error), checkedAt: new Date() });
    }
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.running.then(() => this.probe());
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
