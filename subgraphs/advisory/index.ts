/**
 * advisory (ministry subgraph): the open-data advisory panel, its terms and
 * members, with the composition rule enforced.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import { taipeiDate } from "../kit/scalars";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { PanelMember, PanelTerm } from "./entities";
import { migrations } from "./migrations";
import { AdvisoryAgency, AdvisoryAgencyResolver, PanelTermResolver } from "./resolvers";
import { seedAdvisory } from "./seed";

function createLoaders(em: EntityManager) {
  return {
    membersOfTerm: rowsGroupedBy<PanelMember, string>(em, PanelMember, "term", { role: "asc", name: "asc" }, (member) => member.term.id),
    /** The term in force today, else the latest: one query per request however many agencies ask. */
    currentTerm: new DataLoader<"current", PanelTerm | null>(async (keys) => {
      const today = taipeiDate(new Date());
      const term =
        (await em.findOne(PanelTerm, { startsOn: { $lte: today }, endsOn: { $gte: today } })) ??
        (await em.findOne(PanelTerm, {}, { orderBy: { startsOn: "desc" } }));
      return keys.map(() => term);
    }),
  };
}

export type AdvisoryContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const advisory: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "advisory",
  sharded: false,
  entities: [PanelTerm, PanelMember, OutboxEvent],
  migrations,
  resolvers: [PanelTermResolver, AdvisoryAgencyResolver],
  orphanedTypes: [AdvisoryAgency],
  references: {
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders,
  seed: seedAdvisory,
};
