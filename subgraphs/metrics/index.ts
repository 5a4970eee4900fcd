/**
 * metrics (ministry subgraph): the agency directory, performance targets and,
 * as the event projection grows, progress against them.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { Agency, DirectoryDataset, Target } from "./entities";
import { migrations } from "./migrations";
import { AgencyResolver, DirectoryDatasetResolver } from "./resolvers";
import { seedMetrics } from "./seed";

function createLoaders(em: EntityManager) {
  return {
    agency: rowsByKey<Agency, string>(em, Agency, "code"),
    targetsOfAgency: rowsGroupedBy<Target, string>(em, Target, "agencyCode", { year: "asc", indicator: "asc" }),
  };
}

export type MetricsContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const metrics: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "metrics",
  sharded: false,
  entities: [Agency, Target, OutboxEvent],
  migrations,
  resolvers: [AgencyResolver, DirectoryDatasetResolver],
  orphanedTypes: [DirectoryDataset],
  references: {
    Agency: (reference, { loaders }) => loaders.agency.load(String(reference.code)),
    Dataset: (reference) => ({ agencyCode: reference.agencyCode, id: reference.id }),
  },
  createLoaders,
  seed: seedMetrics,
};
