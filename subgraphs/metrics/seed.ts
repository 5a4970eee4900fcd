import type { EntityManager } from "@mikro-orm/postgresql";
import { AGENCIES, MINISTRY } from "../../contract/agencies";
import { Agency, Indicator, Target } from "./entities";
import { strategyOf } from "./domain";

/** The agency directory of ../shared/design/DOMAIN.md and the ministry-wide targets of 2018. */
export async function seedMetrics(em: EntityManager): Promise<void> {
  AGENCIES.forEach((agency, position) => em.persist(em.create(Agency, { ...agency, position })));
  // Targets refer to agencies by code only (no ORM relation), so write the directory first.
  await em.flush();
  const ministry = MINISTRY.code;
  const targets2018: [Indicator, number][] = [
    [Indicator.DATASETS_OPENED, 120],
    [Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, 100],
    [Indicator.CIVIL_PANEL_MEMBERS, 4],
    [Indicator.PANEL_MEETINGS, 2],
  ];
  for (const [indicator, value] of targets2018) {
    em.persist(em.create(Target, { agencyCode: ministry, indicator, strategy: strategyOf[indicator], year: 2018, value }));
  }
  await em.flush();
}
