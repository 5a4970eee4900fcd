/**
 * The reply deadline (strategy 2): every public comment is answered within
 * 14 days. Whether the days are calendar or working days is not published;
 * the default is calendar days in Asia/Taipei, and the policy is a value so
 * another can be configured (working days skip weekends and the holidays of
 * a calendar; see config.ts).
 */
import { readFileSync } from "node:fs";
import type { Config } from "../../contract/config";
import { dateTimeFormat, DAY_MS, taipeiDate } from "../kit/scalars";

export interface DeadlinePolicy {
  days: number;
  /** CALENDAR counts every day; WORKING skips Saturdays, Sundays and `holidays`. */
  dayKind: "CALENDAR" | "WORKING";
  /** Days off (YYYY-MM-DD, in the policy's zone), for WORKING days. */
  holidays: ReadonlySet<string>;
  timeZone: string;
  /** When a reply counts as due soon. */
  dueSoonDays: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = { days: 14, dayKind: "CALENDAR", holidays: new Set(), timeZone: "Asia/Taipei", dueSoonDays: 3 };

/** The policy a deployment configured (GOVGRAPH_REPLY_DAYS, GOVGRAPH_REPLY_DAY_KIND, GOVGRAPH_HOLIDAYS_FILE), read once at start. */
export function configuredDeadlinePolicy(config: Pick<Config, "replyDays" | "replyDayKind" | "holidaysFile">): DeadlinePolicy {
  return {
    ...DEFAULT_DEADLINE_POLICY,
    days: config.replyDays,
    dayKind: config.replyDayKind,
    holidays: new Set(config.holidaysFile ? readHolidays(config.holidaysFile) : []),
  };
}

function readHolidays(file: string): string[] {
  const days = JSON.parse(readFileSync(file, "utf8")) as unknown;
  if (!Array.isArray(days) || !days.every((day) => typeof day === "string" && /^\d{4}-\d{2}-\d{2}$/.test(day))) {
    throw new Error(`${file} (GOVGRAPH_HOLIDAYS_FILE) must be a JSON list of days "YYYY-MM-DD"`);
  }
  return days;
}

/** The zone's offset from UTC at an instant, in minutes (Asia/Taipei: +480). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const name = dateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(instant)
    .find((part) => part.type === "timeZoneName")!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/**
 * The instant a calendar day starts in a time zone. The offset is read at
 * local midnight, not at UTC midnight: the two differ on a day that changes
 * daylight saving time (a second pass corrects the first guess).
 */
function startOfDay(day: string, timeZone: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`).getTime();
  const guess = utcMidnight - offsetMinutes(new Date(utcMidnight), timeZone) * 60_000;
  return new Date(utcMidnight - offsetMinutes(new Date(guess), timeZone) * 60_000);
}

function addDays(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

function isWorkingDay(day: string, policy: DeadlinePolicy): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !policy.holidays.has(day);
}

/** The last day to reply for a comment received on `receivedOn`: 14 days later, counting only the days the policy counts. */
export function lastReplyDay(receivedOn: string, policy: DeadlinePolicy): string {
  if (policy.dayKind === "CALENDAR") return addDays(receivedOn, policy.days);
  let day = receivedOn;
  for (let counted = 0; counted < policy.days; ) {
    day = addDays(day, 1);
    if (isWorkingDay(day, policy)) counted += 1;
  }
  return day;
}

/**
 * The end of the last day to reply: a comment received on day D (in the
 * policy's zone) must be answered by the end of day D + 14 (calendar days by
 * default), i.e. before the start of the next day.
 */
export function replyDueAt(receivedAt: Date, policy: DeadlinePolicy): Date {
  const at = receivedAt.getTime();
  const known = deadlineOfDay.get(policy);
  if (known && at >= known.dayStart && at < known.nextDayStart) return new Date(known.dueAt);
  const receivedOn = taipeiDate(receivedAt, policy.timeZone);
  const dueAt = startOfDay(addDays(lastReplyDay(receivedOn, policy), 1), policy.timeZone);
  deadlineOfDay.set(policy, {
    dayStart: startOfDay(receivedOn, policy.timeZone).getTime(),
    nextDayStart: startOfDay(addDays(receivedOn, 1), policy.timeZone).getTime(),
    dueAt: dueAt.getTime(),
  });
  return dueAt;
}

/**
 * The deadline of the day last asked, per policy: comments arrive day by day, and the zone's arithmetic (Intl's
 * formatToParts) cost a feedback shard more CPU per comment than anything else of its own (1.4 % of its samples).
 */
const deadlineOfDay = new WeakMap<DeadlinePolicy, { dayStart: number; nextDayStart: number; dueAt: number }>();

/**
 * The last day to reply (YYYY-MM-DD in the policy's zone) of a deadline
 * `replyDueAt`, which is exclusive: the start of the day after. This is the
 * day a person reads; printing replyDueAt as a date shows the day after.
 */
export function lastReplyDayOf(replyDueAt: Date, policy: DeadlinePolicy): string {
  return taipeiDate(new Date(replyDueAt.getTime() - 1), policy.timeZone);
}

export enum DeadlineState {
  ON_TIME = "ON_TIME",
  DUE_SOON = "DUE_SOON",
  OVERDUE = "OVERDUE",
  ANSWERED_ON_TIME = "ANSWERED_ON_TIME",
  ANSWERED_LATE = "ANSWERED_LATE",
}

/** Where a comment stands against its deadline; a reply counts only once approved and published. */
export function deadlineState(
  feedback: { replyDueAt: Date; answeredAt?: Date | null },
  now: Date,
  policy: DeadlinePolicy,
): DeadlineState {
  const due = feedback.replyDueAt.getTime();
  if (feedback.answeredAt) return feedback.answeredAt.getTime() < due ? DeadlineState.ANSWERED_ON_TIME : DeadlineState.ANSWERED_LATE;
  if (now.getTime() >= due) return DeadlineState.OVERDUE;
  return due - now.getTime() <= policy.dueSoonDays * DAY_MS ? DeadlineState.DUE_SOON : DeadlineState.ON_TIME;
}

/** The comments waiting for a reply whose deadline is near (due soon) or past (overdue). */
export function deadlineBacklog(items: readonly { replyDueAt: Date; answeredAt?: Date | null }[], now: Date, policy: DeadlinePolicy): { dueSoon: number; overdue: number } {
  const backlog = { dueSoon: 0, overdue: 0 };
  for (const item of items) {
    const state = deadlineState(item, now, policy);
    if (state === DeadlineState.DUE_SOON) backlog.dueSoon += 1;
    if (state === DeadlineState.OVERDUE) backlog.overdue += 1;
  }
  return backlog;
}

/** Days to an approved reply are counted in whole days, the last bucket holding "this many or more". */
export const REPLY_DAYS_BUCKETS = 31;

export interface FeedbackStatsParts {
  received: number;
  answered: number;
  answeredOnTime: number;
  overdue: number;
  /** Answered comments by whole days from receipt to the approved reply: index d counts d days (the last, d or more). */
  daysToReplyHistogram: number[];
}

export function noFeedbackStats(): FeedbackStatsParts {
  return { received: 0, answered: 0, answeredOnTime: 0, overdue: 0, daysToReplyHistogram: new Array<number>(REPLY_DAYS_BUCKETS).fill(0) };
}

/** Additive counts: the ministry-wide figure is the sum of the agencies'. */
export function feedbackStats(items: readonly { receivedAt: Date; replyDueAt: Date; answeredAt?: Date | null }[], now: Date, policy: DeadlinePolicy): FeedbackStatsParts {
  const stats = { ...noFeedbackStats(), received: items.length };
  for (const item of items) {
    const state = deadlineState(item, now, policy);
    if (state === DeadlineState.ANSWERED_ON_TIME || state === DeadlineState.ANSWERED_LATE) {
      stats.answered += 1;
      const days = Math.floor((item.answeredAt!.getTime() - item.receivedAt.getTime()) / DAY_MS);
      stats.daysToReplyHistogram[Math.min(Math.max(days, 0), REPLY_DAYS_BUCKETS - 1)] += 1;
    }
    if (state === DeadlineState.ANSWERED_ON_TIME) stats.answeredOnTime += 1;
    if (state === DeadlineState.OVERDUE) stats.overdue += 1;
  }
  return stats;
}

/**
 * feedbackStats computed by PostgreSQL for some agencies in one statement,
 * without reading every comment: the same rules (answered when an approved
 * reply was published, on time when before the deadline's instant, overdue
 * when unanswered at or after it, whole days to reply capped at the last
 * bucket). test/read-statements.test.ts checks both give the same answer.
 */
export async function feedbackStatsOf(
  execute: (sql: string, params: unknown[]) => Promise<{ agencyCode: string; days: number | null; comments: number; onTime: number; overdue: number }[]>,
  agencyCodes: readonly string[],
  now: Date,
): Promise<Map<string, FeedbackStatsParts>> {
  const groups = await execute(
    `select agency_code as "agencyCode", days, count(*)::int as comments,
            (count(*) filter (where answered_at < reply_due_at))::int as "onTime",
            (count(*) filter (where answered_at is null and reply_due_at <= ?))::int as overdue
     from (select agency_code, answered_at, reply_due_at,
                  case when answered_at is not null then least(greatest(floor(extract(epoch from answered_at - received_at) / 86400)::int, 0), ?) end as days
           from feedback where agency_code in (?)) as comment
     group by agency_code, days`,
    [now, REPLY_DAYS_BUCKETS - 1, [...agencyCodes]],
  );
  const stats = new Map(agencyCodes.map((code) => [code, noFeedbackStats()]));
  for (const group of groups) {
    const parts = stats.get(group.agencyCode)!;
    parts.received += group.comments;
    parts.overdue += group.overdue;
    if (group.days === null) continue;
    parts.answered += group.comments;
    parts.answeredOnTime += group.onTime;
    parts.daysToReplyHistogram[group.days] += group.comments;
  }
  return stats;
}
