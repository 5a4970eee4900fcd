/**
 * advisory (ministry subgraph): the open-data advisory panel, its terms and
 * members, with the composition rule enforced.
 */
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { createAdvisoryLoaders } from "./context";
import { PanelMember, PanelTerm } from "./entities";
import { migrations } from "./migrations";
import { AdvisoryAgency, AdvisoryAgencyResolver, PanelTermResolver } from "./resolvers";
import { seedAdvisory } from "./seed";

export const advisory: SubgraphDefinition<ReturnType<typeof createAdvisoryLoaders>> = {
  name: "advisory",
  sharded: false,
  entities: [PanelTerm, PanelMember, OutboxEvent],
  migrations,
  resolvers: [PanelTermResolver, AdvisoryAgencyResolver],
  orphanedTypes: [AdvisoryAgency],
  references: {
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders: createAdvisoryLoaders,
  seed: seedAdvisory,
};
