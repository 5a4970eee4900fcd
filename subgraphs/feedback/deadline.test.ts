import { DEFAULT_DEADLINE_POLICY, deadlineBacklog, DeadlineState, deadlineState, feedbackStats, lastReplyDay, lastReplyDayOf, replyDueAt, type DeadlinePolicy, type FeedbackStatsParts } from "./deadline";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const taipei14 = DEFAULT_DEADLINE_POLICY;
const due = (receivedAt: string, policy: DeadlinePolicy = taipei14) => replyDueAt(new Date(receivedAt), policy).toISOString();

describe("the reply is due by the end of the 14th calendar day after receipt, in Asia/Taipei", () => {
  test("received at 23:59:59 Taipei on Jan 31: due by the end of Feb 14 Taipei", () => {
    expect(due("2026-01-31T15:59:59Z")).toBe("2026-02-14T16:00:00.000Z");
  });

  test("received one second later, already Feb 1 in Taipei: due by the end of Feb 15 Taipei", () => {
    expect(due("2026-01-31T16:00:00Z")).toBe("2026-02-15T16:00:00.000Z");
  });

  test("the hour of receipt within the Taipei day does not matter", () => {
    // 00:00 and 23:59 Taipei on Apr 20 are the same day: due by the end of May 4 (April has 30 days).
    expect(due("2026-04-19T16:00:00Z")).toBe("2026-05-04T16:00:00.000Z");
    expect(due("2026-04-20T15:59:00Z")).toBe("2026-05-04T16:00:00.000Z");
  });

  test("across a year end", () => {
    // Dec 25 Taipei + 14 days = Jan 8.
    expect(due("2026-12-25T03:00:00Z")).toBe("2027-01-08T16:00:00.000Z");
  });

  test("February has 29 days in a leap year and 28 otherwise", () => {
    // 2028-02-20 + 14 days: Feb 29 is the 9th day, so the 14th is Mar 5; in 2027 it is Mar 6.
    expect(due("2028-02-20T02:00:00Z")).toBe("2028-03-05T16:00:00.000Z");
    expect(due("2027-02-20T02:00:00Z")).toBe("2027-03-06T16:00:00.000Z");
    // Received on the leap day itself (00:30 Taipei): due by the end of Mar 14.
    expect(due("2028-02-28T16:30:00Z")).toBe("2028-03-14T16:00:00.000Z");
  });
});

test("a day's deadline holds from the day's first instant to its last, and the next day's from its first, where a day may be 23 hours long", () => {
  expect(due("2026-04-20T03:00:00Z")).toBe("2026-05-04T16:00:00.000Z");
  expect(due("2026-04-20T15:59:59.999Z")).toBe("2026-05-04T16:00:00.000Z");
  expect(due("2026-04-20T16:00:00.000Z")).toBe("2026-05-05T16:00:00.000Z");
  expect(due("2026-04-19T15:59:59.999Z")).toBe("2026-05-03T16:00:00.000Z");
  // New York's Mar 8, 2026 has 23 hours (clocks go forward at 02:00): it ends at 04:00 UTC on Mar 9, not 05:00.
  const newYork: DeadlinePolicy = { ...taipei14, timeZone: "America/New_York" };
  expect(due("2026-03-08T12:00:00Z", newYork)).toBe("2026-03-23T04:00:00.000Z");
  expect(due("2026-03-09T03:59:59.999Z", newYork)).toBe("2026-03-23T04:00:00.000Z");
  expect(due("2026-03-09T04:00:00.000Z", newYork)).toBe("2026-03-24T04:00:00.000Z");
});

describe("a custom policy: other day counts and time zones", () => {
  test("7 days in UTC: the receipt day is the UTC day", () => {
    const utc7: DeadlinePolicy = { ...taipei14, days: 7, timeZone: "UTC" };
    // 20:00 UTC on Jan 31 is Feb 1 in Taipei but still Jan 31 in UTC.
    expect(due("2026-01-31T20:00:00Z", utc7)).toBe("2026-02-08T00:00:00.000Z");
    expect(due("2026-01-31T20:00:00Z")).toBe("2026-02-15T16:00:00.000Z");
  });

  test("in New York, the due day starts at local midnight after clocks moved forward", () => {
    const newYork10: DeadlinePolicy = { ...taipei14, days: 10, timeZone: "America/New_York" };
    // 03:00 UTC on Mar 1 is 22:00 on Feb 28 in New York (UTC-5); + 10 days = Mar 10; daylight time began Mar 8,
    // so Mar 11 starts at 00:00 UTC-4 = 04:00 UTC.
    expect(due("2026-03-01T03:00:00Z", newYork10)).toBe("2026-03-11T04:00:00.000Z");
  });

  test.each([
    // Sydney moves to daylight time at 02:00 on Sunday 2026-10-04: the day still starts at 00:00 +10:00 = 14:00 UTC on Oct 3.
    ["the day clocks move forward", "2026-09-19T02:00:00Z", "2026-10-03T14:00:00.000Z"],
    // Sydney leaves daylight time at 03:00 on Sunday 2026-04-05: the day still starts at 00:00 +11:00 = 13:00 UTC on Apr 4.
    ["the day clocks move back", "2026-03-21T02:00:00Z", "2026-04-04T13:00:00.000Z"],
  ])("in Sydney, a due day that is %s starts at local midnight", (_, receivedAt, expected) => {
    expect(due(receivedAt, { ...taipei14, timeZone: "Australia/Sydney" })).toBe(expected);
  });
});

describe("where a comment stands against its deadline", () => {
  const replyDueAt = new Date("2026-02-14T16:00:00Z");
  const at = (offsetMs: number) => new Date(replyDueAt.getTime() + offsetMs);
  const state = (now: Date, answeredAt: Date | null = null, policy = taipei14) => deadlineState({ replyDueAt, answeredAt }, now, policy);

  test("unanswered with more than 3 days left: ON_TIME", () => {
    expect(state(at(-10 * DAY))).toBe(DeadlineState.ON_TIME);
    expect(state(at(-3 * DAY - HOUR))).toBe(DeadlineState.ON_TIME);
  });

  test("unanswered with 3 days or less left: DUE_SOON, up to the last moment", () => {
    expect(state(at(-3 * DAY + HOUR))).toBe(DeadlineState.DUE_SOON);
    expect(state(at(-1))).toBe(DeadlineState.DUE_SOON);
  });

  test("unanswered at or after the due instant: OVERDUE", () => {
    expect(state(at(0))).toBe(DeadlineState.OVERDUE);
    expect(state(at(30 * DAY))).toBe(DeadlineState.OVERDUE);
  });

  test("answered before the due instant: ANSWERED_ON_TIME, however late it is now", () => {
    expect(state(at(60 * DAY), at(-1))).toBe(DeadlineState.ANSWERED_ON_TIME);
    expect(state(at(-5 * DAY), at(-10 * DAY))).toBe(DeadlineState.ANSWERED_ON_TIME);
  });

  test("answered at or after the due instant: ANSWERED_LATE", () => {
    expect(state(at(0), at(0))).toBe(DeadlineState.ANSWERED_LATE);
    expect(state(at(10 * DAY), at(2 * DAY))).toBe(DeadlineState.ANSWERED_LATE);
  });

  test("the due-soon window is the policy's", () => {
    expect(state(at(-2 * DAY), null, { ...taipei14, dueSoonDays: 1 })).toBe(DeadlineState.ON_TIME);
    expect(state(at(-2 * DAY), null, { ...taipei14, dueSoonDays: 5 })).toBe(DeadlineState.DUE_SOON);
  });
});

describe("feedback statistics are additive counts", () => {
  const now = new Date("2026-03-01T00:00:00Z");
  const item = (receivedAt: string, replyDueAt: string, answeredAt: string | null) => ({
    receivedAt: new Date(receivedAt),
    replyDueAt: new Date(replyDueAt),
    answeredAt: answeredAt ? new Date(answeredAt) : null,
  });
  // Answered after 2 days 6 hours, on time.
  const quick = item("2026-02-01T02:00:00Z", "2026-02-15T16:00:00Z", "2026-02-03T08:00:00Z");
  // Answered after 19 days, late.
  const slow = item("2026-02-01T02:00:00Z", "2026-02-15T16:00:00Z", "2026-02-20T02:00:00Z");
  // Unanswered and past due on Mar 1.
  const overdue = item("2026-02-10T00:00:00Z", "2026-02-24T16:00:00Z", null);
  // Unanswered, not yet due.
  const open = item("2026-02-25T00:00:00Z", "2026-03-11T16:00:00Z", null);
  // Answered after 45 days: counted in the last bucket ("30 or more").
  const veryLate = item("2025-12-01T00:00:00Z", "2025-12-15T16:00:00Z", "2026-01-15T00:00:00Z");

  const histogram = (counts: Record<number, number>) => Array.from({ length: 31 }, (_, days) => counts[days] ?? 0);
  const add = (a: FeedbackStatsParts, b: FeedbackStatsParts): FeedbackStatsParts => ({
    received: a.received + b.received,
    answered: a.answered + b.answered,
    answeredOnTime: a.answeredOnTime + b.answeredOnTime,
    overdue: a.overdue + b.overdue,
    daysToReplyHistogram: a.daysToReplyHistogram.map((count, i) => count + b.daysToReplyHistogram[i]),
  });

  test("counts received, answered, answered on time, overdue, and whole days to reply", () => {
    expect(feedbackStats([quick, slow, overdue, open, veryLate], now, taipei14)).toEqual({
      received: 5,
      answered: 3,
      answeredOnTime: 1,
      overdue: 1,
      daysToReplyHistogram: histogram({ 2: 1, 19: 1, 30: 1 }),
    });
  });

  test("the statistics of A ∪ B are those of A plus those of B, field by field", () => {
    const a = [quick, overdue, veryLate];
    const b = [slow, open];
    expect(feedbackStats(a, now, taipei14)).toEqual({ received: 3, answered: 2, answeredOnTime: 1, overdue: 1, daysToReplyHistogram: histogram({ 2: 1, 30: 1 }) });
    expect(feedbackStats(b, now, taipei14)).toEqual({ received: 2, answered: 1, answeredOnTime: 0, overdue: 0, daysToReplyHistogram: histogram({ 19: 1 }) });
    expect(add(feedbackStats(a, now, taipei14), feedbackStats(b, now, taipei14))).toEqual(feedbackStats([...a, ...b], now, taipei14));
  });

  test("no comments: all zero, which adds nothing", () => {
    const empty = feedbackStats([], now, taipei14);
    expect(empty).toEqual({ received: 0, answered: 0, answeredOnTime: 0, overdue: 0, daysToReplyHistogram: histogram({}) });
    expect(add(empty, feedbackStats([quick, open], now, taipei14))).toEqual(feedbackStats([quick, open], now, taipei14));
  });
});

describe("the last day to reply, as people read the deadline", () => {
  test("a comment received on 2026-12-02 (Taipei) may be answered through 2026-12-16; replyDueAt is the start of 12-17", () => {
    const dueAt = replyDueAt(new Date("2026-12-02T03:00:00Z"), taipei14);
    expect(dueAt.toISOString()).toBe("2026-12-16T16:00:00.000Z");
    expect(lastReplyDayOf(dueAt, taipei14)).toBe("2026-12-16");
  });

  test("is the day lastReplyDay() counts from the receipt day, for calendar and working days", () => {
    const working: DeadlinePolicy = { ...taipei14, dayKind: "WORKING" };
    for (const policy of [taipei14, working]) {
      for (const received of ["2026-01-31T15:59:59Z", "2026-01-31T16:00:00Z", "2028-02-28T16:30:00Z", "2026-12-25T03:00:00Z"]) {
        const receivedAt = new Date(received);
        const receivedOn = receivedAt.toLocaleDateString("en-CA", { timeZone: "Asia/Taipei" });
        expect(lastReplyDayOf(replyDueAt(receivedAt, policy), policy)).toBe(lastReplyDay(receivedOn, policy));
      }
    }
  });
});

test("the backlog counts unanswered comments due within the reminder window and those past their deadline", () => {
  const now = new Date("2026-03-10T04:00:00Z");
  const dueIn = (hours: number, answeredAt: Date | null = null) => ({ replyDueAt: new Date(now.getTime() + hours * HOUR), answeredAt });
  expect(
    deadlineBacklog([dueIn(-1), dueIn(0), dueIn(1), dueIn(72), dueIn(73), dueIn(-5, new Date(now.getTime() - 10 * DAY)), dueIn(2, new Date(now))], now, taipei14),
  ).toEqual({ dueSoon: 2, overdue: 2 });
});
