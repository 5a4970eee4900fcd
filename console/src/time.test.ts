import { dayInTaipei, daysLeft, formatDay, formatPeriodicity, formatYear, rocYear } from "./time";

test("a deadline's days left count Taipei calendar days to the last day to reply, not UTC ones", () => {
  // The last day to reply is 2026-12-15 in Taipei (replyDueAt 2026-12-15T16:00:00Z, the start of the next day).
  const lastReplyDay = "2026-12-15";
  expect(daysLeft(lastReplyDay, new Date("2026-12-01T15:30:00Z"))).toBe(14); // 23:30 on 12-01 in Taipei
  expect(daysLeft(lastReplyDay, new Date("2026-12-01T16:30:00Z"))).toBe(13); // 00:30 on 12-02 in Taipei, still 12-01 in UTC
  expect(daysLeft(lastReplyDay, new Date("2026-12-15T15:59:00Z"))).toBe(0); // 23:59 on the last day
  expect(daysLeft(lastReplyDay, new Date("2026-12-15T16:00:00Z"))).toBe(-1); // replyDueAt: overdue
});

test("days in Taipei and the ROC calendar", () => {
  expect(dayInTaipei(new Date("2018-03-15T16:00:00Z"))).toBe("2018-03-16");
  expect(rocYear(2018)).toBe(107);
  expect(formatDay("2018-03-16", "zh-TW")).toBe("107/3/16");
  expect(formatDay("2018-03-16", "en")).toBe("2018-03-16");
  expect(formatYear(2015, "zh-TW")).toBe("2015 (民國104)");
  expect(formatYear(2015, "en")).toBe("2015 (ROC 104)");
});

test("update frequencies: as the platform spells them in Chinese, in words in English", () => {
  expect(formatPeriodicity("每1年", "zh-TW")).toBe("每1年");
  expect(formatPeriodicity("每1年", "en")).toBe("Every year");
  expect(formatPeriodicity("每3分", "en")).toBe("Every 3 minutes");
  expect(formatPeriodicity("每12月", "en")).toBe("Every 12 months");
  expect(formatPeriodicity("每1週", "en")).toBe("Every week");
  expect(formatPeriodicity("不定期更新", "en")).toBe("Irregularly");
  expect(formatPeriodicity("每季", "en")).toBe("每季");
});
