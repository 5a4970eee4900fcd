/**
 * catalogue (agency subgraph, one shard per agency): datasets and resources
 * per the national metadata standard, their lifecycle and counts.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { isVisible } from "./domain";
import { Dataset, Resource } from "./entities";
import { migrations } from "./migrations";
import { CatalogueAgency, CatalogueAgencyResolver, CatalogueEventResolver, DatasetResolver } from "./resolvers";
import { seedCatalogue } from "./seed";

function createLoaders(em: EntityManager) {
  return {
    dataset: rowsByKey<Dataset, string>(em, Dataset, "id"),
    resourcesOfDataset: rowsGroupedBy<Resource, string>(em, Resource, "dataset", { position: "asc" }, (resource) => resource.dataset.id),
  };
}

export type CatalogueContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const catalogue: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "catalogue",
  sharded: true,
  entities: [Dataset, Resource, OutboxEvent],
  migrations,
  resolvers: [DatasetResolver, CatalogueAgencyResolver, CatalogueEventResolver],
  orphanedTypes: [CatalogueAgency],
  references: {
    Dataset: async (reference, { loaders, viewer }) => {
      const dataset = await loaders.dataset.load(String(reference.id));
      return dataset && isVisible(viewer, dataset) ? dataset : null;
    },
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders,
  seed: seedCatalogue,
};
