import { assertDayRange, beforeRocCalendarProblem, daysAfter, FIRST_ROC_DAY, notYetProblem, rocYear } from "./days";

test("a range of days may be open at either end or one day long; reversed, it is refused on to", () => {
  expect(() => assertDayRange("2018-01-01", "2018-01-01")).not.toThrow();
  expect(() => assertDayRange(undefined, "2018-01-01")).not.toThrow();
  expect(() => assertDayRange("2019-01-01", undefined)).not.toThrow();
  try {
    assertDayRange("2019-01-01", "2018-01-01");
    throw new Error("not refused");
  } catch (error) {
    expect((error as { extensions?: unknown }).extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "to", reason: "must be on or after from (2019-01-01)" }] });
  }
});

test("the ROC calendar begins on 1912-01-01, ROC year 1; an earlier day is refused saying to enter it in AD", () => {
  expect([rocYear(1912), rocYear(2018)]).toEqual([1, 107]);
  expect(beforeRocCalendarProblem(FIRST_ROC_DAY)).toBeNull();
  expect(beforeRocCalendarProblem("1911-12-31")).toBe("is before 1912-01-01, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)");
});

test("what has happened happened today or earlier, in Taipei", () => {
  expect(notYetProblem("2026-12-05", "2026-12-05")).toBeNull();
  expect(notYetProblem("2026-12-06", "2026-12-05")).toBe("is after today (2026-12-05 in Taipei)");
});

test("days after a day, across month, leap day and year ends, and before it", () => {
  expect([daysAfter("2016-02-28", 1), daysAfter("2017-02-28", 1), daysAfter("2017-12-31", 1), daysAfter("2026-12-05", 45), daysAfter("2018-01-01", -1)]).toEqual([
    "2016-02-29",
    "2017-03-01",
    "2018-01-01",
    "2027-01-19",
    "2017-12-31",
  ]);
});
