import { asOfProblem, distinctDays, meetingCycle, meetingsHeld, yearPeriod, yearProblem } from "./domain";

const MEETINGS = ["2015-06-22", "2016-03-29", "2017-03-28", "2018-03-19"];

test("a year's period runs from 1 January to its last day, or to asOf while it runs", () => {
  expect(yearPeriod(2017, "2018-03-16")).toEqual({ from: "2017-01-01", to: "2017-12-31" });
  expect(yearPeriod(2018, "2018-03-16")).toEqual({ from: "2018-01-01", to: "2018-03-16" });
  // asOf before the year: an empty period.
  expect(yearPeriod(2019, "2018-03-16")).toEqual({ from: "2019-01-01", to: "2018-03-16" });
});

test("a meeting cycle runs from the day after the previous meeting to the meeting", () => {
  expect(meetingCycle(MEETINGS, "2018-03-19")).toEqual({ from: "2017-03-29", to: "2018-03-19", previousMeetingHeldOn: "2017-03-28" });
  expect(meetingCycle([...MEETINGS].reverse(), "2016-03-29")).toEqual({ from: "2015-06-23", to: "2016-03-29", previousMeetingHeldOn: "2015-06-22" });
});

test("the first meeting's cycle starts on 1 January of its year; a day without a meeting has no cycle", () => {
  expect(meetingCycle(MEETINGS, "2015-06-22")).toEqual({ from: "2015-01-01", to: "2015-06-22", previousMeetingHeldOn: null });
  expect(meetingCycle(MEETINGS, "2018-03-20")).toBeNull();
});

test("the next day crosses months, leap days and years", () => {
});

test("a meeting is held on its day: one scheduled later is not held yet; each day is named once", () => {
  const scheduled = ["2026-12-20", ...MEETINGS, "2018-03-19", "2026-12-05"];
  expect(meetingsHeld(scheduled, "2026-12-05")).toEqual([...MEETINGS, "2018-03-19", "2026-12-05"]);
  expect(meetingCycle(meetingsHeld(scheduled, "2026-12-05"), "2026-12-20")).toBeNull();
  expect(distinctDays(meetingsHeld(scheduled, "2026-12-05"))).toEqual([...MEETINGS, "2026-12-05"]);
});

test("figures are read from the ROC calendar's first day to today, for a year that has begun by then", () => {
  expect(asOfProblem("2018-03-16", "2026-12-05")).toBeNull();
  expect(asOfProblem("2026-12-05", "2026-12-05")).toBeNull();
  expect(asOfProblem("2026-12-06", "2026-12-05")).toBe("is after today (2026-12-05 in Taipei): the figures of a day still to come are not known");
  expect(asOfProblem("1911-12-31", "2026-12-05")).toBe("is before 1912-01-01, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)");
  expect(yearProblem(2017, "2018-03-16")).toBeNull();
  expect(yearProblem(2018, "2018-03-16")).toBeNull();
  expect(yearProblem(2019, "2018-03-16")).toBe("must be 2018 or earlier: on 2018-03-16 the year 2019 has not begun");
  expect(yearProblem(106, "2018-03-16")).toBe("must be an AD year after 1911");
});
