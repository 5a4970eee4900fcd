import { DEFAULT_DEADLINE_POLICY, lastReplyDay, replyDueAt, type DeadlinePolicy } from "./deadline";

const working = (holidays: string[] = []): DeadlinePolicy => ({ ...DEFAULT_DEADLINE_POLICY, dayKind: "WORKING", holidays: new Set(holidays) });

describe("a deadline counted in working days", () => {
  test("skips weekends: 14 working days from a Monday end on the Friday two weeks later", () => {
    // 2026-03-02 is a Monday; 14 working days later is Friday 2026-03-20.
    expect(lastReplyDay("2026-03-02", working())).toBe("2026-03-20");
  });

  test("received on a Saturday, the count starts on Monday", () => {
    // 2026-03-07 is a Saturday: Mon 9 … Fri 13 (5), Mon 16 … Fri 20 (10), Mon 23 … Thu 26 (14).
    expect(lastReplyDay("2026-03-07", working())).toBe("2026-03-26");
  });

  test("skips the holidays of the calendar", () => {
    // Same as the first case with two weekdays off: two working days later, Tuesday 2026-03-24.
    expect(lastReplyDay("2026-03-02", working(["2026-03-05", "2026-03-16"]))).toBe("2026-03-24");
  });

  test("across a month end, the due instant is the start of the following day in Taipei", () => {
    // Received Friday 2026-01-30 (Taipei): Feb 2–6, 9–13, 16–19 are 14 working days → Thursday 2026-02-19, due before Feb 20 00:00 +08:00.
    expect(replyDueAt(new Date("2026-01-30T02:00:00Z"), working()).toISOString()).toBe("2026-02-19T16:00:00.000Z");
  });

  test("calendar days remain the default", () => {
    expect(DEFAULT_DEADLINE_POLICY.dayKind).toBe("CALENDAR");
    expect(lastReplyDay("2026-03-02", DEFAULT_DEADLINE_POLICY)).toBe("2026-03-16");
  });
});
