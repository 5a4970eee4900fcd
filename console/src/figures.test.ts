import { badgeCounts, cumulative, sortAgencies, type AgencyRow, type Progress } from "./figures";

const progress = (datasetsOnPlatform: number, overdueNow: number, repliedWithinDeadlineShare: number | null): Progress => ({
  asOf: "2018-03-16",
  year: 2018,
  rocYear: 107,
  datasetsOnPlatform,
  datasetsRetired: 0,
  openedInYear: 0,
  inventoryPlanned: 0,
  inventoryOpened: 0,
  badgeDistribution: [],
  commentsReceived: 0,
  repliedWithinDeadline: 0,
  repliedWithinDeadlineShare,
  overdueNow,
});
const row = (code: string, figures: Progress | null): AgencyRow => ({ code, name: code, nameEn: code, progress: figures });

test("the running total of the seed's openings reaches 2,179 by 2017", () => {
  const counts = [50, 30, 1710, 252, 137].map((count, i) => ({ year: 2013 + i, rocYear: 102 + i, count }));
  expect(cumulative(counts)).toEqual([50, 80, 1790, 2042, 2179]);
});

test("agencies sort by a column either way, ties in directory order, an agency without figures last", () => {
  const rows = [row("MOJ", progress(900, 2, 0.9)), row("MJIB", progress(100, 0, null)), row("SPO", null), row("ACA", progress(100, 5, 1))];
  const codes = (sorted: AgencyRow[]) => sorted.map((r) => r.code);
  expect(codes(sortAgencies(rows, "datasets", true))).toEqual(["MOJ", "MJIB", "ACA", "SPO"]);
  expect(codes(sortAgencies(rows, "datasets", false))).toEqual(["MJIB", "ACA", "MOJ", "SPO"]);
  expect(codes(sortAgencies(rows, "overdue", true))).toEqual(["ACA", "MOJ", "MJIB", "SPO"]);
  expect(codes(sortAgencies(rows, "onTime", true))).toEqual(["ACA", "MOJ", "MJIB", "SPO"]);
  expect(codes(sortAgencies(rows, "name", false))).toEqual(["MOJ", "MJIB", "SPO", "ACA"]);
  expect(codes(sortAgencies(rows, "name", true))).toEqual(["ACA", "SPO", "MJIB", "MOJ"]);
});

test("an agency's badges count its datasets no check has judged yet beside the levels it has", () => {
  const checked: Progress["badgeDistribution"] = [
    { level: "GOLD", count: 0 },
    { level: "BRONZE", count: 3 },
    { level: "NONE", count: 2 },
  ];
  expect(badgeCounts({ ...progress(613, 0, null), badgeDistribution: checked })).toEqual([
    { level: "BRONZE", count: 3 },
    { level: "NONE", count: 2 },
    { level: "UNCHECKED", count: 608 },
  ]);
  expect(badgeCounts({ ...progress(5, 0, null), badgeDistribution: checked })).toEqual([
    { level: "BRONZE", count: 3 },
    { level: "NONE", count: 2 },
  ]);
  expect(badgeCounts(progress(0, 0, null))).toEqual([]);
});
