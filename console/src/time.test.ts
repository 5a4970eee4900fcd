import { dayInTaipei, daysLeft, formatDay, rocYear } from "./time";

test("a deadline's days left count Taipei calendar days, not UTC ones", () => {
  // Due at the end of 2026-12-15 in Taipei (15:59:59.999Z).
  const due = "2026-12-15T15:59:59.999Z";
  expect(daysLeft(due, new Date("2026-12-01T15:30:00Z"))).toBe(14); // 23:30 on 12-01 in Taipei
  expect(daysLeft(due, new Date("2026-12-01T16:30:00Z"))).toBe(13); // 00:30 on 12-02 in Taipei, still 12-01 in UTC
  expect(daysLeft(due, new Date("2026-12-15T15:00:00Z"))).toBe(0);
  expect(daysLeft(due, new Date("2026-12-15T16:00:00Z"))).toBe(-1);
});

test("days in Taipei and the ROC calendar", () => {
  expect(dayInTaipei(new Date("2018-03-15T16:00:00Z"))).toBe("2018-03-16");
  expect(rocYear(2018)).toBe(107);
  expect(formatDay("2018-03-16", "zh-TW")).toBe("107/3/16");
  expect(formatDay("2018-03-16", "en")).toBe("2018-03-16");
});
