/**
 * What a catalogue shard's resolvers receive: its settings (resolved once at
 * start) and the per-request loaders.
 */
import type { BlockList } from "node:net";
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { SYSTEM_SUBJECTS } from "../../contract/claims";
import type { Config, Secrets } from "../../contract/config";
import { createSystemClient } from "../../contract/system-client";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import type { SubgraphContext } from "../kit/subgraph";
import { Dataset, Resource } from "./entities";
import { DatasetCheck, ResourceCheck } from "./quality/entities";
import { DEFAULT_BADGE_RULES, parseBadgeRules, type BadgeRules } from "./quality/indicators";
import { allowList } from "./quality/probe";
import { replyRecordThroughGateway, type ReplyRecord } from "./quality/reply-record";
import type { ScanSettings } from "./deidentification/gate";
import { PersonalDataScan } from "./deidentification/entities";

export interface QualitySettings {
  /** How often the shard looks for datasets due (0: never). */
  intervalMs: number;
  /** Datasets checked at once. */
  concurrency: number;
  /** How long one resource's link may take to answer. */
  timeoutMs: number;
  /** Intranet addresses the check may fetch although they are not public (GOVGRAPH_FETCH_ALLOW). */
  fetchAllowed: BlockList;
  /** How often each published dataset is checked. */
  periodMs: number;
  badgeRules: BadgeRules;
  /** The agency's reply record, for reply efficiency. */
  replyRecord: ReplyRecord;
  /** Every check scans the structured files for personal data again. */
  scan: ScanSettings;
}

export interface CatalogueSettings {
  quality: QualitySettings;
  scan: ScanSettings;
}

export function configureCatalogue(config: Config, secrets: Secrets): CatalogueSettings {
  const system = createSystemClient({
    subject: SYSTEM_SUBJECTS.QUALITY_CHECK,
    internalSecret: secrets.internalSecret,
    claimsTtlSeconds: config.claimsTtlSeconds,
    timeoutMs: config.shardTimeoutMs,
  });
  const fetchAllowed = allowList(config.fetchAllow);
  const scan = { timeoutMs: config.scanTimeoutMs, silenceMs: config.qualityTimeoutMs, allowed: fetchAllowed };
  return {
    scan,
    quality: {
      scan,
      intervalMs: config.qualityIntervalMs,
      concurrency: config.qualityConcurrency,
      timeoutMs: config.qualityTimeoutMs,
      fetchAllowed,
      periodMs: config.qualityCheckPeriodMs,
      badgeRules: config.badgeRules ? parseBadgeRules(config.badgeRules) : DEFAULT_BADGE_RULES,
      replyRecord: replyRecordThroughGateway(system, config.gatewayUrl),
    },
  };
}

export function createCatalogueLoaders(em: EntityManager) {
  return {
    /** The latest check of each dataset: one statement for a whole page. */
    latestCheck: new DataLoader<string, DatasetCheck | null>(async (ids) => {
      const rows = await em.find(DatasetCheck, { datasetId: { $in: [...ids] } }, { orderBy: { datasetId: "asc", checkedAt: "desc" } });
      const latest = new Map<string, DatasetCheck>();
      for (const row of rows) if (!latest.has(row.datasetId)) latest.set(row.datasetId, row);
      return ids.map((id) => latest.get(id) ?? null);
    }),
    checksOfResource: rowsGroupedBy<ResourceCheck, string>(em, ResourceCheck, "resourceId", { checkedAt: "desc" }),
    dataset: rowsByKey<Dataset, string>(em, Dataset, "id"),
    /** The latest de-identification scan of each resource. */
    latestScan: new DataLoader<string, PersonalDataScan | null>(async (ids) => {
      const rows = await em.find(PersonalDataScan, { resourceId: { $in: [...ids] } }, { orderBy: { resourceId: "asc", scannedAt: "desc" } });
      const latest = new Map<string, PersonalDataScan>();
      for (const row of rows) if (!latest.has(row.resourceId)) latest.set(row.resourceId, row);
      return ids.map((id) => latest.get(id) ?? null);
    }),
    resourcesOfDataset: rowsGroupedBy<Resource, string>(em, Resource, "dataset", { position: "asc" }, (resource) => resource.dataset.id),
  };
}

export type CatalogueContext = SubgraphContext<ReturnType<typeof createCatalogueLoaders>, CatalogueSettings>;
