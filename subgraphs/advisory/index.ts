/**
 * advisory (ministry subgraph): the open-data advisory panel — its terms and
 * members with the composition rule enforced, and its record: meetings,
 * agendas referring to the agencies' entities, resolutions, reviews of every
 * agency, the action strategy's versions and reports to the Executive Yuan.
 */
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { configureAdvisory, createAdvisoryLoaders, type AdvisorySettings } from "./context";
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

export const advisory: SubgraphDefinition<ReturnType<typeof createAdvisoryLoaders>, AdvisorySettings> = {
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
  configure: configureAdvisory,
  createLoaders: createAdvisoryLoaders,
  seed: seedAdvisory,
};
