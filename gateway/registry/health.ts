/**
 * Shard health: a background probe of every shard's /readiness, so the
 * registry can say which shards are up, how fast they answer, and why one is
 * down. Probing never changes routing: a down shard already costs only its
 * part of an answer (SHARD_UNAVAILABLE), and taking it out is the ministry's call.
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

const UNKNOWN: ShardHealth = { state: "UNKNOWN", latencyMs: null, lastError: null, checkedAt: null };

/** A shard's readiness endpoint: its GraphQL URL without the /graphql path, then /readiness. */
export function readinessUrl(graphqlUrl: string): string {
  return instanceEndpoint(graphqlUrl, "readiness");
}

export class HealthMonitor {
  private readonly health = new Map<string, ShardHealth>();

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
    for (const url of this.health.keys()) if (!current.has(url)) this.health.delete(url);
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
        this.health.set(url, { state: "UP", latencyMs: Math.round(performance.now() - started), lastError: this.of(url).lastError, checkedAt: new Date() });
        return;
      }
      failure = `readiness answered HTTP ${response.status}${statusOf(text)}`;
    } catch (error) {
      failure = `readiness: ${describeFetchError(error, this.timeoutMs)}`;
    }
    this.health.set(url, { state: "DOWN", latencyMs: null, lastError: failure, checkedAt: new Date() });
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
