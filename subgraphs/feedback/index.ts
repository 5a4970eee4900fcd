/**
 * feedback (agency subgraph, one shard per agency): public comments, their
 * reply workflow and 14-day deadline, and requests for new datasets.
 */
import { METRIC } from "../../contract/metrics";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { configureFeedback, createFeedbackLoaders, type FeedbackSettings } from "./context";
import { deadlineBacklog } from "./deadline";
import { DatasetRequest, DatasetRequestResolver } from "./dataset-requests";
import { Feedback, FeedbackTransition, Reply } from "./entities";
import { FeedbackListResolver } from "./listing";
import { migrations } from "./migrations";
import { startReminders } from "./reminders";
import { DatasetReference, FeedbackAgency, FeedbackAgencyResolver, FeedbackEventResolver, FeedbackResolver } from "./resolvers";
import { seedFeedback } from "./seed";

export const feedback: SubgraphDefinition<ReturnType<typeof createFeedbackLoaders>, FeedbackSettings> = {
  name: "feedback",
  sharded: true,
  entities: [Feedback, Reply, FeedbackTransition, DatasetRequest, OutboxEvent],
  migrations,
  resolvers: [FeedbackResolver, FeedbackListResolver, FeedbackAgencyResolver, FeedbackEventResolver, DatasetRequestResolver],
  orphanedTypes: [FeedbackAgency, DatasetReference],
  references: {
    Feedback: (reference, { loaders }) => loaders.feedback.load(String(reference.id)),
    DatasetRequest: (reference, { em }) => em.findOne(DatasetRequest, { id: String(reference.id) }),
    Agency: (reference) => ({ code: reference.code }),
  },
  configure: configureFeedback,
  createLoaders: createFeedbackLoaders,
  background: ({ orm, log, settings }) => [startReminders(orm, log, settings.reminderIntervalMs)],
  metrics: (metrics, { orm, settings }) =>
    metrics.gauge(METRIC.feedbackBacklog, "Unanswered comments by deadline state: due_soon (within the reminder window) or overdue.", ["state"], async (gauge) => {
      const open = await orm.em.fork().find(Feedback, { answeredAt: null }, { fields: ["replyDueAt", "answeredAt"] });
      const backlog = deadlineBacklog(open, new Date(), settings.deadline);
      gauge.set({ state: "due_soon" }, backlog.dueSoon);
      gauge.set({ state: "overdue" }, backlog.overdue);
    }),
  seed: seedFeedback,
};
