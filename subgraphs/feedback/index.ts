/**
 * feedback (agency subgraph, one shard per agency): public comments and
 * their 14-day reply deadline.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import { config } from "../../contract/config";
import { METRIC } from "../../contract/metrics";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { deadlineBacklog, feedbackStats, type FeedbackStatsParts } from "./deadline";
import { DatasetRequest, DatasetRequestResolver } from "./dataset-requests";
import { Feedback, FeedbackTransition, Reply } from "./entities";
import { migrations } from "./migrations";
import { DatasetReference, FeedbackAgency, FeedbackAgencyResolver, FeedbackEventResolver, FeedbackResolver } from "./resolvers";
import { startReminderScheduler } from "./reminders";
import { seedFeedback } from "./seed";

function createLoaders(em: EntityManager) {
  return {
    feedback: rowsByKey<Feedback, string>(em, Feedback, "id"),
    repliesOfFeedback: rowsGroupedBy<Reply, string>(em, Reply, "feedback", { createdAt: "asc" }, (reply) => reply.feedback.id),
    transitionsOfFeedback: rowsGroupedBy<FeedbackTransition, string>(em, FeedbackTransition, "feedback", { at: "asc" }, (step) => step.feedback.id),
    /** One read of the deadline columns per request, however many fields ask for stats. */
    stats: new DataLoader<string, FeedbackStatsParts>(async (codes) => {
      const rows = await em.find(Feedback, { agencyCode: { $in: [...codes] } }, { fields: ["agencyCode", "receivedAt", "replyDueAt", "answeredAt"] });
      const now = new Date();
      return codes.map((code) => feedbackStats(rows.filter((row) => row.agencyCode === code), now));
    }),
  };
}

export type FeedbackContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const feedback: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "feedback",
  sharded: true,
  entities: [Feedback, Reply, FeedbackTransition, DatasetRequest, OutboxEvent],
  migrations,
  resolvers: [FeedbackResolver, FeedbackAgencyResolver, FeedbackEventResolver, DatasetRequestResolver],
  orphanedTypes: [FeedbackAgency, DatasetReference],
  references: {
    Feedback: (reference, { loaders }) => loaders.feedback.load(String(reference.id)),
    DatasetRequest: (reference, { em }) => em.findOne(DatasetRequest, { id: String(reference.id) }),
    Agency: (reference) => ({ code: reference.code }),
  },
  createLoaders,
  background: (orm, _instance, log) => startReminderScheduler(orm, log, config.reminderIntervalMs),
  metrics: (metrics, orm) =>
    metrics.gauge(METRIC.feedbackBacklog, "Unanswered comments by deadline state: due_soon (within the reminder window) or overdue.", ["state"], async (gauge) => {
      const open = await orm.em.fork().find(Feedback, { answeredAt: null }, { fields: ["replyDueAt", "answeredAt"] });
      const backlog = deadlineBacklog(open, new Date());
      gauge.set({ state: "due_soon" }, backlog.dueSoon);
      gauge.set({ state: "overdue" }, backlog.overdue);
    }),
  seed: seedFeedback,
};
