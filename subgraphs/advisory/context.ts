/** What the advisory subgraph's resolvers receive: its settings (resolved once at start) and per-request loaders. */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Config } from "../../contract/config";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import type { SubgraphContext } from "../kit/subgraph";
import { TermStatus, type PanelRules } from "./composition";
import { AgencyReview, AgendaItem, AgendaSubject, PanelAttendance, PanelMeeting, PanelMember, PanelResolution, PanelTerm, ReviewRemark } from "./entities";

export interface AdvisorySettings {
  /** The composition rule's numbers (GOVGRAPH_PANEL_*). */
  panelRules: PanelRules;
}

export function configureAdvisory(config: Config): AdvisorySettings {
  return { panelRules: config.panelRules };
}

export function createAdvisoryLoaders(em: EntityManager) {
  return {
    term: rowsByKey<PanelTerm, string>(em, PanelTerm, "id"),
    membersOfTerm: rowsGroupedBy<PanelMember, string>(em, PanelMember, "term", { role: "asc", name: "asc" }, (member) => member.term.id),
    /** The active term, else the latest: one query per request however many agencies ask. */
    currentTerm: new DataLoader<"current", PanelTerm | null>(async (keys) => {
      const term = (await em.findOne(PanelTerm, { status: TermStatus.ACTIVE })) ?? (await em.find(PanelTerm, {}, { orderBy: { startsOn: "desc" }, limit: 1 }))[0] ?? null;
      return keys.map(() => term);
    }),
    meeting: rowsByKey<PanelMeeting, string>(em, PanelMeeting, "id"),
    attendanceOfMeeting: rowsGroupedBy<PanelAttendance, string>(em, PanelAttendance, "meetingId"),
    agendaOfMeeting: rowsGroupedBy<AgendaItem, string>(em, AgendaItem, "meetingId", { position: "asc" }),
    subjectsOfItem: rowsGroupedBy<AgendaSubject, string>(em, AgendaSubject, "agendaItemId", { kind: "asc", agencyCode: "asc" }),
    resolution: rowsByKey<PanelResolution, string>(em, PanelResolution, "id"),
    resolutionsOfMeeting: rowsGroupedBy<PanelResolution, string>(em, PanelResolution, "meetingId", { dueOn: "asc", id: "asc" }),
    reviewsOfMeeting: rowsGroupedBy<AgencyReview, string>(em, AgencyReview, "meetingId", { agencyCode: "asc" }),
    remarksOfReview: rowsGroupedBy<ReviewRemark, string>(em, ReviewRemark, "reviewId", { at: "asc" }),
  };
}

export type AdvisoryContext = SubgraphContext<ReturnType<typeof createAdvisoryLoaders>, AdvisorySettings>;
