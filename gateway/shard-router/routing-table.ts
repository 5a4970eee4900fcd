/**
 * The routing table: for each agency subgraph, which URL serves which
 * agency's shard, in routing-table order. Read on every request, so a change
 * applies to the next request without a restart.
 */
import type { Topology } from "../topology";

export class RoutingTable {
  private readonly shards = new Map<string, Map<string, string>>();

  constructor(topology: Pick<Topology, "shards">) {
    for (const [subgraph, byAgency] of Object.entries(topology.shards)) this.shards.set(subgraph, new Map(Object.entries(byAgency)));
  }

  subgraphs(): string[] {
    return [...this.shards.keys()];
  }

  shardsOf(subgraph: string): ReadonlyMap<string, string> {
    return this.shards.get(subgraph) ?? new Map();
  }
}
