/**
 * Shard health: a background probe of every shard's /readiness, so the
 * registry can say which shards are up, how fast they answer, and why one is
 * down. A shard DOWN (two failed probes in a row: one slow answer from a
 * busy shard is not enough) is not called by the shard router until a probe
 * finds it ready; taking it out of the routing table is the ministry's call.
 */
import { instanceEndpoint } from "../../contract/topology";
import type { RoutingTable } from "../shard-router/routing-table";
import { describeFetchError } from "../../contract/system-client";

export type ShardState = "UP" | "DOWN" | "UNKNOWN";

export interface ShardHealth {
  state: ShardState;
  /** How long the last successful probe took. */
  latencyMs: number | null;
  /** The last failure seen, kept after the shard recovers so a flapping shard can be diagnosed. */
  lastError: string | null;
  checkedAt: Date | null;
}

/** Failed probes in a row that mark a shard DOWN. */
const DOWN_AFTER_FAILURES = 2;

const UNKNOWN: ShardHealth = { state: "UNKNOWN", latencyMs: null, lastError: null, checkedAt: null };

/** A shard's readiness endpoint: its GraphQL URL without the /graphql path, then /readiness. */
export function readinessUrl(graphqlUrl: string): string {
  return instanceEndpoint(graphqlUrl, "readiness");
}

export class HealthMonitor {
  private readonly health = new Map<string, ShardHealth>();
  /** Failed probes in a row, per URL. */
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly routing: RoutingTable,
    private readonly timeoutMs: number,
  ) {}

  /** Health by shard URL: a moved shard is a new URL, with a health of its own. */
  of(url: string): ShardHealth {
    return this.health.get(url) ?? UNKNOWN;
  }

  /** Probes every shard once, and forgets URLs no longer in the table. */
  async probe(): Promise<void> {
    await Promise.all([...this.urls()].map((url) => this.probeOne(url)));
    // Read the table again: a shard admitted during the round keeps the health its admission recorded.
    const current = this.urls();
    for (const url of this.health.keys()) {
      if (current.has(url)) continue;
      this.health.delete(url);
      this.failures.delete(url);
    }
  }

  /** Probes the shards never probed yet (admitted through another replica), without waiting for the next round. */
  async probeNew(): Promise<void> {
    await Promise.all([...this.urls()].filter((url) => !this.health.has(url)).map((url) => this.probeOne(url)));
  }

  private urls(): Set<string> {
    return new Set(this.routing.subgraphs().flatMap((subgraph) => [...this.routing.shardsOf(subgraph).values()]));
  }

  async probeOne(url: string): Promise<void> {
    const started = performance.now();
    let failure: string;
    try {
      const response = await fetch(readinessUrl(url), { signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await response.text();
      if (response.ok) {
        this.failures.delete(url);
        this.health.set(url, { state: "UP", latencyMs: Math.round(performance.now() - started), lastError: this.of(url).lastError, checkedAt: new Date() });
        return;
      }
      failure = `readiness answered HTTP ${response.status}${statusOf(text)}`;
    } catch (error) {
      failure = `readiness: ${describeFetchError(error, this.timeoutMs)}`;
    }
    // One failed probe (a busy shard, a slow answer) is noted; the second in a row marks the shard DOWN,
    // which the shard router then stops calling until a probe finds it ready again.
    const failures = (this.failures.get(url) ?? 0) + 1;
    this.failures.set(url, failures);
    const previous = this.of(url);
    const state = failures >= DOWN_AFTER_FAILURES ? "DOWN" : previous.state;
    this.health.set(url, { state, latencyMs: state === "DOWN" ? null : previous.latencyMs, lastError: failure, checkedAt: new Date() });
  }

}

/** The reason a GovGraph instance gives for not being ready ("draining", "database unreachable"), if it gave one. */
function statusOf(body: string): string {
  try {
    const { status } = JSON.parse(body) as { status?: unknown };
    return typeof status === "string" ? ` (${status})` : "";
  } catch {
    return "";
  }
}
