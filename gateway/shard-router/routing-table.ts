/**
 * The routing table: for each agency subgraph, which URL serves which
 * agency's shard, in routing-table order (the order of schema/agencies.json,
 * then any other code). Read on every request, so a change applies to the
 * next request without a restart. Copy-on-write: a change replaces the
 * subgraph's map, so a request in flight keeps the snapshot it planned with.
 */
import { compareAgencyCodes } from "../../contract/agencies";
import type { Topology } from "../../contract/topology";

function ordered(entries: Iterable<[string, string]>): Map<string, string> {
  return new Map([...entries].sort(([a], [b]) => compareAgencyCodes(a, b)));
}

export class RoutingTable {
  private readonly shards = new Map<string, ReadonlyMap<string, string>>();

  constructor(topology: Pick<Topology, "shards">) {
    for (const [subgraph, byAgency] of Object.entries(topology.shards)) this.shards.set(subgraph, ordered(Object.entries(byAgency)));
  }

  subgraphs(): string[] {
    return [...this.shards.keys()];
  }

  shardsOf(subgraph: string): ReadonlyMap<string, string> {
    return this.shards.get(subgraph) ?? new Map();
  }

  /** Adds or moves the shard of an agency. */
  set(subgraph: string, agencyCode: string, url: string): void {
    const others = [...this.shardsOf(subgraph)].filter(([code]) => code !== agencyCode);
    this.shards.set(subgraph, ordered([...others, [agencyCode, url]]));
  }

  /** Removes the shard of an agency; true when there was one. */
  remove(subgraph: string, agencyCode: string): boolean {
    const current = this.shardsOf(subgraph);
    if (!current.has(agencyCode)) return false;
    this.shards.set(subgraph, ordered([...current].filter(([code]) => code !== agencyCode)));
    return true;
  }

  /** Takes each subgraph's shards from `shards`; a subgraph whose shards are unchanged keeps its map (and its snapshots). */
  replace(shards: Topology["shards"]): void {
    for (const subgraph of this.subgraphs()) {
      const next = ordered(Object.entries(shards[subgraph] ?? {}));
      const current = this.shardsOf(subgraph);
      if (next.size === current.size && [...next].every(([code, url]) => current.get(code) === url)) continue;
      this.shards.set(subgraph, next);
    }
  }

  /** The table as a topology's `shards`. */
  toJSON(): Topology["shards"] {
    return Object.fromEntries([...this.shards].map(([subgraph, byAgency]) => [subgraph, Object.fromEntries(byAgency)]));
  }
}
