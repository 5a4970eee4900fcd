/** What the advisory subgraph's resolvers receive: per-request loaders. */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsGroupedBy } from "../kit/loaders";
import { taipeiDate } from "../kit/scalars";
import type { SubgraphContext } from "../kit/subgraph";
import { PanelMember, PanelTerm } from "./entities";

export function createAdvisoryLoaders(em: EntityManager) {
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

export type AdvisoryContext = SubgraphContext<ReturnType<typeof createAdvisoryLoaders>>;
