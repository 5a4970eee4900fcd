/** What the metrics subgraph's resolvers receive: per-request loaders. */
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import type { SubgraphContext } from "../kit/subgraph";
import { Agency, Target } from "./entities";

export function createMetricsLoaders(em: EntityManager) {
  return {
    agency: rowsByKey<Agency, string>(em, Agency, "code"),
    targetsOfAgency: rowsGroupedBy<Target, string>(em, Target, "agencyCode", { year: "asc", indicator: "asc" }),
  };
}

export type MetricsContext = SubgraphContext<ReturnType<typeof createMetricsLoaders>>;
