/**
 * The shard router as a Hive Gateway transport ("shard"). The engine plans
 * the query and resolves entities as usual; for an agency subgraph it asks
 * this transport for an executor, which splits each subgraph request across
 * the agencies' shards. Calls to one shard go through the engine's own http
 * transport (getTransportExecutor), so its fetch, hooks and header
 * propagation apply to every shard call.
 */
import type { Transport } from "@graphql-mesh/transport-common";
import type { Executor } from "@graphql-tools/utils";
import type { Logger } from "../../contract/logger";
import { createShardExecutor, type ShardCallObserver, type ShardExecutorOptions } from "./executor";
import type { SubgraphShardPolicy } from "./policies";
import type { RoutingTable } from "./routing-table";

export interface ShardTransportOptions {
  routing: RoutingTable;
  policies: ReadonlyMap<string, SubgraphShardPolicy>;
  timeoutMs: number;
  openStream: ShardExecutorOptions["openStream"];
  guard?: ShardExecutorOptions["guard"];
  log: Logger;
  observeCall?: ShardCallObserver;
}

export function shardTransport({ routing, policies, timeoutMs, openStream, guard, log, observeCall }: ShardTransportOptions): Transport {
  return {
    getSubgraphExecutor({ subgraphName, transportEntry, getTransportExecutor }) {
      const policy = policies.get(subgraphName);
      if (!policy) throw new Error(`${subgraphName} is routed by the shard transport but has no shard policy`);
      const executors = new Map<string, Promise<Executor>>();
      return createShardExecutor({
        subgraph: subgraphName,
        policy,
        shards: () => routing.shardsOf(subgraphName),
        executorFor(url) {
          let executor = executors.get(url);
          if (!executor) {
            // A new address: forget the clients of shards that moved or left the routing table since.
            const routed = new Set(routing.shardsOf(subgraphName).values());
            for (const known of executors.keys()) if (!routed.has(known)) executors.delete(known);
            executor = Promise.resolve(getTransportExecutor({ ...transportEntry, kind: "http", location: url }));
            executors.set(url, executor);
          }
          return executor;
        },
        openStream,
        timeoutMs,
        guard,
        log,
        observeCall,
      });
    },
  };
}
