/**
 * metrics (ministry subgraph): the agency directory, performance targets and,
 * as the event projection grows, progress against them.
 */
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { createMetricsLoaders } from "./context";
import { Agency, DirectoryDataset, Target } from "./entities";
import { migrations } from "./migrations";
import { AgencyResolver, DirectoryDatasetResolver } from "./resolvers";
import { seedMetrics } from "./seed";

export const metrics: SubgraphDefinition<ReturnType<typeof createMetricsLoaders>> = {
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
  createLoaders: createMetricsLoaders,
  seed: seedMetrics,
};
