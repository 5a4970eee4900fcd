import { AGENCY_CODES } from "../../contract/agencies";
import { Role, type Viewer } from "../../contract/claims";
import {
  ACCRUAL_PERIODICITY,
  canonicalEncoding,
  canonicalPeriodicity,
  FREE,
  isVisible,
  metadataProblems,
  retirementInputProblems,
  retirementProblem,
  summarize,
  unpublishedProblem,
  visibleStates,
} from "./domain";
import { FIRST_ROC_DAY } from "../kit/days";
import { canonicalFormat } from "../kit/vocabulary";
import { LifecycleState } from "./entities";
import { seedPlan } from "./seed";

describe("catalogue counts as of a day", () => {
  const datasets = [
    { issued: "2015-01-01" },
    { issued: "2015-01-01", retiredOn: "2018-03-16" },
    { issued: "2016-05-01", retiredOn: "2018-03-17" },
    { issued: "2017-01-01", retiredOn: null },
    { issued: "2018-03-16" },
    { issued: "2018-03-17" },
  ];

  test("a dataset issued after the day is not counted; one issued on the day is", () => {
    expect(summarize(datasets, "2018-03-16").datasets).toBe(5);
  });

  test("a dataset retired on or before the day counts as retired, one retired later as published", () => {
    expect(summarize(datasets, "2018-03-16")).toEqual({ datasets: 5, published: 4, retired: 1 });
    expect(summarize(datasets, "2018-03-17")).toEqual({ datasets: 6, published: 4, retired: 2 });
  });

  test("before anything was issued, everything is zero", () => {
    expect(summarize(datasets, "2014-12-31")).toEqual({ datasets: 0, published: 0, retired: 0 });
  });
});

describe("who sees which datasets", () => {
  const ALL = Object.values(LifecycleState);
  const publicUser: Viewer = { sub: "anonymous", role: Role.PUBLIC };
  const acaStaff: Viewer = { sub: "s", role: Role.AGENCY_STAFF, agencyCode: "ACA" };
  const acaCio: Viewer = { sub: "c", role: Role.AGENCY_CIO, agencyCode: "ACA" };
  const mojStaff: Viewer = { sub: "t", role: Role.AGENCY_STAFF, agencyCode: "MOJ" };
  const ministry: Viewer = { sub: "m", role: Role.MINISTRY_ADMIN };
  const panelMember: Viewer = { sub: "p", role: Role.PANEL_MEMBER };
  const seenBy = (viewer: Viewer) => ALL.filter((lifecycleState) => isVisible(viewer, { agencyCode: "ACA", lifecycleState }));

  test("the public sees published datasets only", () => {
    expect(visibleStates(publicUser, "ACA")).toEqual([LifecycleState.PUBLISHED]);
    expect(seenBy(publicUser)).toEqual([LifecycleState.PUBLISHED]);
  });

  test("the agency's own staff and CIO see every state", () => {
    expect(visibleStates(acaStaff, "ACA")).toBeNull();
    expect(seenBy(acaStaff)).toEqual(ALL);
    expect(seenBy(acaCio)).toEqual(ALL);
  });

  test("the ministry's administrators see every state of every agency", () => {
    expect(visibleStates(ministry, "ACA")).toBeNull();
    expect(seenBy(ministry)).toEqual(ALL);
  });

  test("staff of another agency, and panel members, see published datasets only", () => {
    expect(visibleStates(mojStaff, "ACA")).toEqual([LifecycleState.PUBLISHED]);
    expect(seenBy(mojStaff)).toEqual([LifecycleState.PUBLISHED]);
    expect(seenBy(panelMember)).toEqual([LifecycleState.PUBLISHED]);
  });
});

describe("update frequency (更新頻率): a number and a unit, or irregular", () => {
  test.each(["每1年", "每3分", "每1月", "每12月", "每1日", "不定期更新"])("accepts %s", (value) => {
    expect(ACCRUAL_PERIODICITY.test(value)).toBe(true);
  });

  test.each(["每0年", "每01年", "weekly", "每1", "1年", "每1年 ", "不定期"])("rejects %p", (value) => {
    expect(ACCRUAL_PERIODICITY.test(value)).toBe(false);
  });
});

describe("real lists' spellings are read as the platform's one spelling", () => {
  test.each([
    ["UTF-8", "UTF-8"], ["UTF8", "UTF-8"], ["utf-8", "UTF-8"], ["utf8", "UTF-8"], [" UTF-8 ", "UTF-8"], ["UTF-8 (BOM)", "UTF-8"], ["ＵＴＦ－８", "UTF-8"],
    ["BIG-5", "BIG-5"], ["BIG5", "BIG-5"], ["Big5", "BIG-5"], ["big5", "BIG-5"], ["Big-5", "BIG-5"], ["BIG 5", "BIG-5"], ["CP950", "BIG-5"], ["MS950", "BIG-5"],
  ])("encoding %p is %s", (spelled, platform) => {
    expect(canonicalEncoding(spelled)).toBe(platform);
  });

  test.each(["ISO-8859-1", "GBK", "UTF-16", "", "BIG"])("encoding %p is none the standard knows", (spelled) => {
    expect(canonicalEncoding(spelled)).toBeNull();
  });

  test.each([
    ["每1月", "每1月"], ["每月", "每1月"], ["每 1 月", "每1月"], ["每１月", "每1月"], ["每季", "每3月"], ["每半年", "每6月"], ["每年", "每1年"],
    ["每週", "每1週"], ["每周", "每1週"], ["每2周", "每2週"], ["每星期", "每1週"], ["每日", "每1日"], ["每天", "每1日"], ["每小時", "每1時"],
    ["每1小時", "每1時"], ["每10分鐘", "每10分"], ["每月更新", "每1月"], ["不定期", "不定期更新"], ["不定期更新", "不定期更新"], ["每01年", "每1年"],
  ])("periodicity %p is %s", (spelled, platform) => {
    expect(canonicalPeriodicity(spelled)).toBe(platform);
  });

  test.each(["每0年", "weekly", "每1", "1年", "每1世紀", "隨時", ""])("periodicity %p is none", (spelled) => {
    expect(canonicalPeriodicity(spelled)).toBeNull();
  });

  test.each([["csv", "CSV"], [".CSV", "CSV"], ["ＣＳＶ", "CSV"], [" Json ", "JSON"], ["xml", "XML"], ["jsonld", "JSON-LD"], ["CSV檔", "CSV"], ["geo-json", "GEOJSON"]])(
    "format %p is %s",
    (spelled, platform) => {
      expect(canonicalFormat(spelled)).toBe(platform);
    },
  );
});

describe("the seed plan reproduces the ministry's published figures (../shared/design/DOMAIN.md)", () => {
  const plan = seedPlan();
  const codes = AGENCY_CODES;
  const opened = (code: string) => Object.values(plan[code].openedPerYear).reduce((a, b) => a + b, 0);

  test("one plan per agency of schema/agencies.json", () => {
    expect(Object.keys(plan).sort()).toEqual([...codes].sort());
  });

  test.each([
    [2013, 50],
    [2014, 30],
    [2015, 1710],
    [2016, 252],
    [2017, 137],
  ])("datasets opened in %i across all agencies: %i", (year, total) => {
    expect(codes.reduce((sum, code) => sum + (plan[code].openedPerYear[year] ?? 0), 0)).toBe(total);
  });

  test("138 retired across all agencies, leaving 2,041 on the platform on 2018-03-16", () => {
    const retired = codes.reduce((sum, code) => sum + plan[code].retired, 0);
    expect(retired).toBe(138);
    expect(codes.reduce((sum, code) => sum + opened(code), 0) - retired).toBe(2041);
  });

  test("every agency gets a share, and retires no more than it opened", () => {
    for (const code of codes) {
      expect(opened(code)).toBeGreaterThan(0);
      expect(plan[code].retired).toBeLessThanOrEqual(opened(code));
    }
  });
});

const TODAY = "2026-12-05";

describe("rules across metadata fields", () => {
  test("a fee needs its explanation URL and legal basis; free data does not", () => {
    expect(metadataProblems({ cost: "依規費法收費" }, "input", TODAY).map((p) => p.path)).toEqual(["input.costUrl", "input.costLaw"]);
    expect(metadataProblems({ cost: "依規費法收費", costUrl: "https://example.gov.tw/fee", costLaw: "規費法" }, "input", TODAY)).toEqual([]);
    expect(metadataProblems({ cost: FREE }, "input", TODAY)).toEqual([]);
  });

  test("temporal coverage cannot end before it starts", () => {
    expect(metadataProblems({ temporalCoverageFrom: "2018-01-01", temporalCoverageTo: "2017-12-31" }, "input", TODAY)).toEqual([{ path: "input.temporalCoverageTo", reason: "is before temporalCoverageFrom" }]);
    expect(metadataProblems({ temporalCoverageFrom: "2017-01-01", temporalCoverageTo: "2017-01-01" }, "input", TODAY)).toEqual([]);
  });
});

describe("what a dataset's issue and retirement name: days that have come, within the ROC calendar, and another dataset to merge into", () => {
  test("a dataset is issued today or earlier, not before ROC year 1", () => {
    expect(metadataProblems({ issued: TODAY }, "input", TODAY)).toEqual([]);
    expect(metadataProblems({ issued: FIRST_ROC_DAY }, "input", TODAY)).toEqual([]);
    expect(metadataProblems({ issued: "2026-12-06" }, "input.dataset", TODAY)).toEqual([
      { path: "input.dataset.issued", reason: "is after today (2026-12-05 in Taipei): enter today or an earlier day, or leave it out for today" },
    ]);
    for (const issued of ["1911-12-31", "0001-01-01"]) {
      expect(metadataProblems({ issued }, "input", TODAY)).toEqual([
        { path: "input.issued", reason: "is before 1912-01-01, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)" },
      ]);
    }
  });

  const dataset = { identifier: "ACA-000001" };

  test("a dataset is retired today or earlier", () => {
    expect(retirementInputProblems(dataset, { retiredOn: TODAY }, TODAY)).toEqual([]);
    expect(retirementInputProblems(dataset, { retiredOn: "2030-01-01" }, TODAY).map((problem) => problem.path)).toEqual(["input.retiredOn"]);
    expect(retirementInputProblems(dataset, { retiredOn: "1900-01-01" }, TODAY).map((problem) => problem.path)).toEqual(["input.retiredOn"]);
  });

  test("only a published dataset is retired or checked for quality, and not before it was issued", () => {
    expect(unpublishedProblem({ lifecycleState: LifecycleState.PUBLISHED })).toBeNull();
    expect(unpublishedProblem({ lifecycleState: LifecycleState.RETIRED })).toBe("it is RETIRED, not PUBLISHED");
    expect(retirementProblem({ lifecycleState: LifecycleState.RETIRED, issued: "2017-01-01" }, TODAY)).toBe("it is RETIRED, not PUBLISHED");
    expect(retirementProblem({ lifecycleState: LifecycleState.PUBLISHED, issued: "2017-01-01" }, "2016-12-31")).toBe("it was issued on 2017-01-01, after 2016-12-31");
    expect(retirementProblem({ lifecycleState: LifecycleState.PUBLISHED, issued: "2017-01-01" }, "2017-01-01")).toBeNull();
  });

  test("a dataset is merged into another, not into itself", () => {
    expect(retirementInputProblems(dataset, { retiredOn: TODAY, mergedInto: "ACA-000002" }, TODAY)).toEqual([]);
    expect(retirementInputProblems(dataset, { retiredOn: TODAY, mergedInto: null }, TODAY)).toEqual([]);
    expect(retirementInputProblems(dataset, { retiredOn: TODAY, mergedInto: "ACA-000001" }, TODAY)).toEqual([
      { path: "input.mergedInto", reason: "is the retired dataset itself: name the dataset it was merged into, or leave it out" },
    ]);
  });
});
