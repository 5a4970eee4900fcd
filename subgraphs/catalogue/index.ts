/**
 * catalogue (agency subgraph, one shard per agency): datasets and resources
 * per the national metadata standard, their lifecycle, the data inventory
 * and the quality checks.
 */
import { METRIC } from "../../contract/metrics";
import { inventoryReaders } from "../../contract/visibility";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { configureCatalogue, createCatalogueLoaders, type CatalogueSettings } from "./context";
import { isVisible } from "./domain";
import { Dataset, Resource } from "./entities";
import { InventoryItem, InventoryResolver, PanelResolutionRef } from "./inventory";
import { migrations } from "./migrations";
import { countDueChecks, startQualityChecks } from "./quality/checker";
import { DatasetCheck, ResourceCheck } from "./quality/entities";
import { CatalogueAgency, CatalogueAgencyResolver, CatalogueEventResolver, DatasetResolver, InventoryAgencyResolver, ResourceResolver } from "./resolvers";
import { seedCatalogue } from "./seed";
import { Datastore } from "./datastore/entities";
import { ResourceDatastoreResolver } from "./datastore/resolvers";
import { downloadableDatastore, readDumpRequest, writeDump } from "./datastore/dump";
import { PersonalDataExemption, PersonalDataScan } from "./deidentification/entities";
import { PersonalDataExemptionResolver, ResourcePersonalDataResolver } from "./deidentification/resolvers";

export const catalogue: SubgraphDefinition<ReturnType<typeof createCatalogueLoaders>, CatalogueSettings> = {
  name: "catalogue",
  sharded: true,
  entities: [Dataset, Resource, ResourceCheck, DatasetCheck, InventoryItem, PersonalDataScan, PersonalDataExemption, Datastore, OutboxEvent],
  migrations,
  resolvers: [
    DatasetResolver,
    CatalogueAgencyResolver,
    CatalogueEventResolver,
    ResourceResolver,
    InventoryResolver,
    InventoryAgencyResolver,
    PersonalDataExemptionResolver,
    ResourcePersonalDataResolver,
    ResourceDatastoreResolver,
  ],
  orphanedTypes: [CatalogueAgency, PanelResolutionRef],
  routes: {
    "/datastore/dump/:resourceId": async ({ params, query }, res, { em, viewer }) => {
      const request = readDumpRequest(query);
      await writeDump(em, await downloadableDatastore(em, viewer, params.resourceId), request, res);
    },
  },
  references: {
    Dataset: async (reference, { loaders, viewer }) => {
      const dataset = await loaders.dataset.load(String(reference.id));
      return dataset && isVisible(viewer, dataset) ? dataset : null;
    },
    InventoryItem: (reference, { em, viewer, instance }) =>
      inventoryReaders(viewer, instance.agencyCode!) ? em.findOne(InventoryItem, { id: String(reference.id), agencyCode: instance.agencyCode }) : null,
    Agency: (reference) => ({ code: reference.code }),
  },
  configure: configureCatalogue,
  createLoaders: createCatalogueLoaders,
  background: ({ orm, instance, log, settings }) => [startQualityChecks(orm, instance.agencyCode!, settings.quality, log)],
  metrics: (metrics, { orm }) =>
    metrics.gauge(METRIC.qualityChecksDue, "Published datasets whose quality check is due and not yet started (the checker's queue).", [], async (gauge) => {
      gauge.set(await countDueChecks(orm.em.fork(), new Date()));
    }),
  seed: seedCatalogue,
};
