import agencies from "../../schema/agencies.json";
import { Role } from "../kit/claims";
import { ACCRUAL_PERIODICITY, isVisible, summarize } from "./domain";
import { LifecycleState } from "./entities";
import { OPENED_PER_YEAR, RETIRED_BY_2018_03_16, seedPlan } from "./seed";

test("the seed plan reproduces the ministry's published figures across its nine agencies", () => {
  const plan = seedPlan();
  expect(Object.keys(plan)).toEqual(agencies.agencies.map((a) => a.code));
  for (const [year, total] of Object.entries({ 2013: 50, 2014: 30, 2015: 1710, 2016: 252, 2017: 137 })) {
    expect(Object.values(plan).reduce((sum, p) => sum + p.openedPerYear[Number(year)], 0)).toBe(total);
  }
  expect(Object.values(plan).reduce((sum, p) => sum + p.retired, 0)).toBe(138);
  expect(Object.values(OPENED_PER_YEAR).reduce((a, b) => a + b, 0) - RETIRED_BY_2018_03_16).toBe(2041);
  expect(Object.values(plan).every((p) => Object.values(p.openedPerYear).some((n) => n > 0))).toBe(true);
});

test("counts as of a day: not yet issued excluded, retired on or before the day counted as retired", () => {
  const datasets = [
    { issued: "2015-01-01" },
    { issued: "2015-01-01", retiredOn: "2018-03-16" },
    { issued: "2015-01-01", retiredOn: "2018-03-17" },
    { issued: "2018-03-17" },
  ];
  expect(summarize(datasets, "2018-03-16")).toEqual({ datasets: 3, published: 2, retired: 1 });
});

test("the public and other agencies see published datasets only; the owner and the ministry see all", () => {
  const retired = { agencyCode: "ACA", lifecycleState: LifecycleState.RETIRED };
  expect(isVisible({ sub: "a", role: Role.PUBLIC }, retired)).toBe(false);
  expect(isVisible({ sub: "s", role: Role.AGENCY_STAFF, agencyCode: "MOJ" }, retired)).toBe(false);
  expect(isVisible({ sub: "s", role: Role.AGENCY_STAFF, agencyCode: "ACA" }, retired)).toBe(true);
  expect(isVisible({ sub: "m", role: Role.MINISTRY_ADMIN }, retired)).toBe(true);
  expect(isVisible({ sub: "a", role: Role.PUBLIC }, { agencyCode: "ACA", lifecycleState: LifecycleState.PUBLISHED })).toBe(true);
});

test.each([
  ["每1年", true],
  ["每3分", true],
  ["不定期更新", true],
  ["每0年", false],
  ["weekly", false],
  ["每1", false],
])("update frequency %p is %p", (value, valid) => {
  expect(ACCRUAL_PERIODICITY.test(value)).toBe(valid);
});
