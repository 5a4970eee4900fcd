/**
 * A public comment stored in one statement: the quota taken (quota.ts), the
 * comment, its receipt (history.ts), its FeedbackReceived event and its
 * reminders (reminders.ts), written together or not at all, each as a
 * data-modifying CTE that writes its row only if the quota's CTE has one.
 *
 * Comments are the platform's most frequent write, and written as the
 * workflow's other steps are (a transaction, the quota, one ORM flush of
 * three entities, the reminders) one took seven round trips (BEGIN and
 * COMMIT included) and the ORM's unit of work, where this takes one. The
 * rows are the same entities the flush would write (sql.ts, insertFrom), so
 * what a comment's receipt or event holds is still said once.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Viewer } from "../../contract/claims";
import { outboxEvent, type OutboxEvent } from "../kit/outbox";
import { insertFrom, joinSql, sql, sqlOf } from "../kit/sql";
import type { FeedbackSettings } from "./context";
import { replyDueAt } from "./deadline";
import { Feedback } from "./entities";
import { commentFacts, EVENT_OF, receipt } from "./history";
import { quotaRefusal, quotaTaken } from "./quota";
import { remindersInsert } from "./reminders";
import { FeedbackAction } from "./workflow";

export type Submission = Pick<Feedback, "agencyCode" | "email" | "commentType" | "title" | "body"> &
  Partial<Pick<Feedback, "datasetId" | "commenterIdentity" | "industry" | "idempotencyKey">>;

/** The event every comment's life starts with. */
export function feedbackReceived(feedback: Feedback): OutboxEvent {
  return outboxEvent(EVENT_OF[FeedbackAction.RECEIVE], feedback.id, commentFacts(feedback));
}

/** Stores a comment from `viewer`, or refuses it (RATE_LIMITED) having written nothing; a reused idempotency key fails on its unique index. */
export async function storeSubmission(em: EntityManager, submission: Submission, viewer: Viewer, settings: FeedbackSettings): Promise<Feedback> {
  const receivedAt = new Date();
  const feedback = Object.assign(new Feedback(), submission, { receivedAt, replyDueAt: replyDueAt(receivedAt, settings.deadline) });
  const writes = [
    sql`comment as (${insertFrom(em, feedback, "quota")})`,
    sql`receipt as (${insertFrom(em, receipt(feedback, viewer), "quota")})`,
    sql`event as (${insertFrom(em, feedbackReceived(feedback), "quota")})`,
    sql`reminders as (${remindersInsert(feedback.id, feedback.replyDueAt, settings.deadline, "quota")})`,
  ];
  const statement = sql`with ${quotaTaken(viewer.client ?? viewer.sub, receivedAt, settings.submissionsPerHour)}, ${joinSql(writes, ", ")}
    select submissions from quota`;
  const taken = await sqlOf(em)(statement.text, [...statement.values]);
  if (taken.length === 0) throw quotaRefusal(receivedAt, settings.submissionsPerHour);
  return feedback;
}
