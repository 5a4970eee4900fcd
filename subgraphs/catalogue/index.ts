/**
 * catalogue (agency subgraph, one shard per agency): datasets and resources
 * per the national metadata standard, their lifecycle and counts.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { METRIC } from "../../contract/metrics";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { isVisible } from "./domain";
import { Dataset, Resource } from "./entities";
import { migrations } from "./migrations";
import { countDueChecks, startQualityScheduler } from "./quality/checker";
import { DatasetCheck, ResourceCheck } from "./quality/entities";
import { InventoryItem, InventoryResolver } from "./inventory";
import { CatalogueAgency, CatalogueAgencyResolver, CatalogueEventResolver, DatasetResolver, InventoryAgencyResolver, ResourceResolver } from "./resolvers";
import { seedCatalogue } from "./seed";

function createLoaders(em: EntityManager) {
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
    resourcesOfDataset: rowsGroupedBy<Resource, string>(em, Resource, "dataset", { position: "asc" }, (resource) => resource.dataset.id),
  };
}

export type CatalogueContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const catalogue: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "catalogue",
  sharded: true,
  entities: [Dataset, Resource, ResourceCheck, DatasetCheck, InventoryItem, OutboxEvent],
  migrations,
  resolvers: [DatasetResolver, CatalogueAgencyResolver, CatalogueEventResolver, ResourceResolver, InventoryResolver, InventoryAgencyResolver],
  orphanedTypes: [CatalogueAgency],
  references: {
    Dataset: async (reference, { loaders, viewer }) => {
      const dataset = await loaders.dataset.load(String(reference.id));
      return dataset && isVisible(viewer, dataset) ? dataset : null;
    },
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders,
  background: (orm, instance, log) => startQualityScheduler(orm, instance.agencyCode!, log),
  metrics: (metrics, orm) =>
    metrics.gauge(METRIC.qualityChecksDue, "Published datasets whose quality check is due and not yet started (the checker's queue).", [], async (gauge) => {
      gauge.set(await countDueChecks(orm.em.fork()));
    }),
  seed: seedCatalogue,
};
