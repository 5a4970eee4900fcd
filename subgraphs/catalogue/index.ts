/**
 * catalogue (agency subgraph, one shard per agency): datasets and resources
 * per the national metadata standard, their lifecycle and counts.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { isVisible } from "./domain";
import { Dataset, Resource } from "./entities";
import { migrations } from "./migrations";
import { startQualityScheduler } from "./quality/checker";
import { DatasetCheck, ResourceCheck } from "./quality/entities";
import { canReadInventory, InventoryItem, InventoryResolver, PanelResolutionRef } from "./inventory";
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
  orphanedTypes: [CatalogueAgency, PanelResolutionRef],
  references: {
    Dataset: async (reference, { loaders, viewer }) => {
      const dataset = await loaders.dataset.load(String(reference.id));
      return dataset && isVisible(viewer, dataset) ? dataset : null;
    },
    InventoryItem: (reference, { em, viewer, instance }) =>
      canReadInventory(viewer, instance.agencyCode!) ? em.findOne(InventoryItem, { id: String(reference.id), agencyCode: instance.agencyCode }) : null,
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders,
  background: (orm, instance, log) => startQualityScheduler(orm, instance.agencyCode!, log),
  seed: seedCatalogue,
};
