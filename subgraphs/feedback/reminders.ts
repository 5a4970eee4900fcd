/**
 * Reminders of the reply deadline: "due soon" (3 days before) and "overdue".
 * The database is the scheduler's only memory: each reminder is a row,
 * written with the comment (and rewritten when a follow-up moves the
 * deadline); a dispatcher sends due rows by appending an event and marking
 * the row sent in one transaction. Rows are claimed with SKIP LOCKED, so
 * replicas never send one twice, and a crash between steps rolls back: no
 * reminder is lost or doubled across a restart. The clock is injected.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "../../contract/logger";
import { appendAgencyEvent } from "../kit/outbox";
import { startJob, systemClock, type Clock, type RunningJob } from "../../contract/jobs";
import { databaseLease } from "../kit/job-lease";
import { DAY_MS } from "../kit/scalars";
import { identifier, joinSql, sql, sqlOf, type SqlFragment } from "../kit/sql";
import type { DeadlinePolicy } from "./deadline";

export enum ReminderKind {
  DUE_SOON = "DUE_SOON",
  OVERDUE = "OVERDUE",
}

const EVENT_OF: Record<ReminderKind, string> = { DUE_SOON: "ReplyDueSoon", OVERDUE: "ReplyOverdue" };

/** When to remind about a deadline. */
export function remindersFor(replyDueAt: Date, policy: DeadlinePolicy): { kind: ReminderKind; fireAt: Date }[] {
  return [
    { kind: ReminderKind.DUE_SOON, fireAt: new Date(replyDueAt.getTime() - policy.dueSoonDays * DAY_MS) },
    { kind: ReminderKind.OVERDUE, fireAt: replyDueAt },
  ];
}

/**
 * `insert into reminder … select … from <source>`: a comment's reminders for its deadline, written if `source` has a
 * row (a part of a statement that writes several: submission.ts).
 */
export function remindersInsert(feedbackId: string, replyDueAt: Date, policy: DeadlinePolicy, source: string): SqlFragment {
  const rows = remindersFor(replyDueAt, policy).map(({ kind, fireAt }) => sql`(${feedbackId}::uuid, ${kind}, ${fireAt}::timestamptz)`);
  return sql`insert into reminder (feedback_id, kind, fire_at) select r.* from ${identifier(source)}, (values ${joinSql(rows, ", ")}) as r`;
}

/**
 * Rewrites a comment's reminders for its new deadline, dropping its unsent ones of the earlier deadline, in one
 * statement: the delete and the insert see the same rows, so the delete never drops the new reminders.
 */
export async function scheduleReminders(tx: EntityManager, feedbackId: string, replyDueAt: Date, policy: DeadlinePolicy): Promise<void> {
  // `one`: the one row remindersInsert writes from, here unconditionally.
  const statement = sql`with dropped as (delete from reminder where feedback_id = ${feedbackId} and sent_at is null), one as (select)
    ${remindersInsert(feedbackId, replyDueAt, policy, "one")}`;
  await sqlOf(tx)(statement.text, [...statement.values]);
}

/**
 * Sends every reminder due at `now` whose comment is still unanswered; drops
 * those of answered comments. Returns how many it sent.
 */
export async function sendDueReminders(em: EntityManager, now: Date, batch = 100): Promise<number> {
  return em.transactional(async (tx) => {
    const context = tx.getTransactionContext();
    const due = await tx.getConnection().execute<{ id: string; feedback_id: string; kind: ReminderKind; agency_code: string; title: string; reply_due_at: string; answered: boolean }[]>(
      `select r.id, r.feedback_id, r.kind, f.agency_code, f.title, f.reply_due_at, f.answered_at is not null as answered
       from reminder r join feedback f on f.id = r.feedback_id
       where r.sent_at is null and r.fire_at <= ?
       order by r.fire_at
       limit ?
       for update of r skip locked`,
      [now, batch],
      "all",
      context,
    );
    let sent = 0;
    for (const reminder of due) {
      if (reminder.answered) {
        await tx.getConnection().execute("delete from reminder where id = ?", [reminder.id], "run", context);
        continue;
      }
      appendAgencyEvent(tx, EVENT_OF[reminder.kind], reminder.feedback_id, {
        agencyCode: reminder.agency_code,
        title: reminder.title,
        replyDueAt: new Date(reminder.reply_due_at).toISOString(),
      });
      await tx.getConnection().execute("update reminder set sent_at = ? where id = ?", [now, reminder.id], "run", context);
      sent += 1;
    }
    return sent;
  });
}

/** Sends due reminders every `intervalMs` (and once at start); of several replicas of the shard, the lease holder does. */
export function startReminders(orm: MikroORM, log: Logger, intervalMs: number, clock: Clock = systemClock): RunningJob {
  return startJob({
    name: "reply-reminders",
    intervalMs,
    runAtStart: true,
    lease: databaseLease(orm),
    clock,
    log,
    run: async (now) => {
      const sent = await sendDueReminders(orm.em.fork(), now);
      if (sent > 0) log.info({ sent }, "reply reminders sent");
    },
  });
}
