/** What the metrics subgraph's resolvers and background work receive: settings resolved once, and per-request loaders. */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Config, Secrets } from "../../contract/config";
import type { SystemClient } from "../../contract/system-client";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import type { SubgraphContext } from "../kit/subgraph";
import { Agency, IndexedDataset, Target, TargetChange } from "./entities";
import { metricsSystemClient } from "./gateway-client";

export interface MetricsSettings {
  /** How often the gateway's routing table is read again (shards admitted, moved, removed). */
  followIntervalMs: number;
  /** How often today's figures are snapshotted. */
  snapshotIntervalMs: number;
  /** Metrics' system identity towards the gateway and the shards. */
  system: SystemClient;
}

export function configureMetrics(config: Config, secrets: Secrets): MetricsSettings {
  return {
    followIntervalMs: config.metricsFollowIntervalMs,
    snapshotIntervalMs: config.metricsSnapshotIntervalMs,
    system: metricsSystemClient(secrets.internalSecret, config.claimsTtlSeconds, config.shardTimeoutMs),
  };
}

export function createMetricsLoaders(em: EntityManager) {
  return {
    agency: rowsByKey<Agency, string>(em, Agency, "code"),
    indexedDataset: rowsByKey<IndexedDataset, string>(em, IndexedDataset, "id"),
    targetsOfAgency: rowsGroupedBy<Target, string>(em, Target, "agencyCode", { year: "asc", indicator: "asc" }),
    changesOfTarget: rowsGroupedBy<TargetChange, string>(em, TargetChange, "targetId", { changedAt: "asc" }),
  };
}

export type MetricsContext = SubgraphContext<ReturnType<typeof createMetricsLoaders>, MetricsSettings>;
