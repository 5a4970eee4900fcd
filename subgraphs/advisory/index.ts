/**
 * advisory (ministry subgraph): the open-data advisory panel — its terms and
 * members with the composition rule enforced, and its record: meetings,
 * agendas referring to the agencies' entities, resolutions, reviews of every
 * agency, the action strategy's versions and reports to the Executive Yuan.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { TermStatus } from "./composition";
import {
  AgencyReview,
  AgendaItem,
  AgendaSubject,
  ExecutiveYuanReport,
  PanelAttendance,
  PanelMeeting,
  PanelMember,
  PanelResolution,
  PanelTerm,
  ReviewRemark,
  StrategyVersion,
} from "./entities";
import { migrations } from "./migrations";
import { AgencyReviewResolver, AgendaItemResolver, ExecutiveYuanReportResolver, PanelMeetingResolver, PanelResolutionResolver, StrategyVersionResolver } from "./record";
import { DatasetRef, DatasetRequestRef, EvaluationReportRef, FeedbackRef, InventoryItemRef } from "./references";
import { AdvisoryAgency, AdvisoryAgencyResolver, PanelTermResolver } from "./resolvers";
import { seedAdvisory } from "./seed";
import { canSeeResolution } from "./access";

function createLoaders(em: EntityManager) {
  return {
    term: rowsByKey<PanelTerm, string>(em, PanelTerm, "id"),
    membersOfTerm: rowsGroupedBy<PanelMember, string>(em, PanelMember, "term", { role: "asc", name: "asc" }, (member) => member.term.id),
    /** The active term, else the latest: one query per request however many agencies ask. */
    currentTerm: new DataLoader<"current", PanelTerm | null>(async (keys) => {
      const term =
        (await em.findOne(PanelTerm, { status: TermStatus.ACTIVE })) ?? (await em.findOne(PanelTerm, {}, { orderBy: { startsOn: "desc" } }));
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

export type AdvisoryContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const advisory: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "advisory",
  sharded: false,
  entities: [PanelTerm, PanelMember, PanelMeeting, PanelAttendance, AgendaItem, AgendaSubject, PanelResolution, AgencyReview, ReviewRemark, StrategyVersion, ExecutiveYuanReport, OutboxEvent],
  migrations,
  resolvers: [
    PanelTermResolver,
    AdvisoryAgencyResolver,
    PanelMeetingResolver,
    AgendaItemResolver,
    PanelResolutionResolver,
    AgencyReviewResolver,
    StrategyVersionResolver,
    ExecutiveYuanReportResolver,
  ],
  orphanedTypes: [AdvisoryAgency, DatasetRef, InventoryItemRef, FeedbackRef, DatasetRequestRef, EvaluationReportRef],
  references: {
    Agency: (reference) => ({ code: reference.code }),
    PanelMeeting: (reference, { loaders }) => loaders.meeting.load(String(reference.id)),
    PanelResolution: async (reference, { loaders, viewer }) => {
      const resolution = await loaders.resolution.load(String(reference.id));
      const meeting = resolution && (await loaders.meeting.load(resolution.meetingId));
      return resolution && meeting && canSeeResolution(viewer, resolution, meeting) ? resolution : null;
    },
  },
  createLoaders,
  seed: seedAdvisory,
};
