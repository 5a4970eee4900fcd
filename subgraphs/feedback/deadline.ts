/**
 * The reply deadline (strategy 2): every public comment is answered within
 * 14 days. Whether the days are calendar or working days is not published;
 * the default is calendar days in Asia/Taipei, and the policy is a value so
 * another can be configured.
 */
import { taipeiDate } from "../kit/scalars";

export interface DeadlinePolicy {
  days: number;
  timeZone: string;
  /** When a reply counts as due soon. */
  dueSoonDays: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = { days: 14, timeZone: "Asia/Taipei", dueSoonDays: 3 };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The zone's offset from UTC at an instant, in minutes (Asia/Taipei: +480). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(instant)
    .find((part) => part.type === "timeZoneName")!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/** The instant a calendar day starts in a time zone. */
function startOfDay(day: string, timeZone: string): Date {
  const utcMidnight = new Date(`${day}T00:00:00Z`).getTime();
  return new Date(utcMidnight - offsetMinutes(new Date(utcMidnight), timeZone) * 60_000);
}

function addDays(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The end of the last day to reply: a comment received on day D (in the
 * policy's zone) must be answered by the end of day D + 14, i.e. before the
 * start of D + 15.
 */
export function replyDueAt(receivedAt: Date, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): Date {
  const receivedOn = taipeiDate(receivedAt, policy.timeZone);
  return startOfDay(addDays(receivedOn, policy.days + 1), policy.timeZone);
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
  policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY,
): DeadlineState {
  const due = feedback.replyDueAt.getTime();
  if (feedback.answeredAt) return feedback.answeredAt.getTime() < due ? DeadlineState.ANSWERED_ON_TIME : DeadlineState.ANSWERED_LATE;
  if (now.getTime() >= due) return DeadlineState.OVERDUE;
  return due - now.getTime() <= policy.dueSoonDays * DAY_MS ? DeadlineState.DUE_SOON : DeadlineState.ON_TIME;
}

export interface FeedbackStatsParts {
  received: number;
  answered: number;
  answeredOnTime: number;
  overdue: number;
}

/** Additive counts: the ministry-wide figure is the sum of the agencies'. */
export function feedbackStats(items: readonly { replyDueAt: Date; answeredAt?: Date | null }[], now: Date): FeedbackStatsParts {
  const stats: FeedbackStatsParts = { received: items.length, answered: 0, answeredOnTime: 0, overdue: 0 };
  for (const item of items) {
    const state = deadlineState(item, now);
    if (state === DeadlineState.ANSWERED_ON_TIME || state === DeadlineState.ANSWERED_LATE) stats.answered += 1;
    if (state === DeadlineState.ANSWERED_ON_TIME) stats.answeredOnTime += 1;
    if (state === DeadlineState.OVERDUE) stats.overdue += 1;
  }
  return stats;
}
