/**
 * What a feedback shard's resolvers receive: its settings (resolved once at
 * start) and the per-request loaders.
 */
import DataLoader from "dataloader";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Config } from "../../contract/config";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import type { SubgraphContext } from "../kit/subgraph";
import { configuredDeadlinePolicy, feedbackStatsOf, type DeadlinePolicy, type FeedbackStatsParts } from "./deadline";
import { Feedback, FeedbackTransition, Reply } from "./entities";

export interface FeedbackSettings {
  deadline: DeadlinePolicy;
  /** Public comments and dataset requests one client may submit per hour. */
  submissionsPerHour: number;
  /** How often due reminders are sent. */
  reminderIntervalMs: number;
}

export function configureFeedback(config: Config): FeedbackSettings {
  return {
    deadline: configuredDeadlinePolicy(config),
    submissionsPerHour: config.feedbackSubmissionsPerHour,
    reminderIntervalMs: config.reminderIntervalMs,
  };
}

export function createFeedbackLoaders(em: EntityManager) {
  return {
    feedback: rowsByKey<Feedback, string>(em, Feedback, "id"),
    repliesOfFeedback: rowsGroupedBy<Reply, string>(em, Reply, "feedback", { createdAt: "asc" }, (reply) => reply.feedback.id),
    transitionsOfFeedback: rowsGroupedBy<FeedbackTransition, string>(em, FeedbackTransition, "feedback", { at: "asc" }, (step) => step.feedback.id),
    /** One statement per request, however many fields ask for stats: counted by PostgreSQL. */
    stats: new DataLoader<string, FeedbackStatsParts>(async (codes) => {
      const stats = await feedbackStatsOf((sql, params) => em.getConnection().execute(sql, params), codes, new Date());
      return codes.map((code) => stats.get(code)!);
    }),
  };
}

export type FeedbackContext = SubgraphContext<ReturnType<typeof createFeedbackLoaders>, FeedbackSettings>;
