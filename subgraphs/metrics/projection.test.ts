import { Role } from "../../contract/claims";
import { actualOf, actualReadOn, figuresAgainstTargets, mayReadTargetHistory, remarkOf, targetProblems, repliedWithinDeadlineShare, targetMet, type ProgressFigures } from "./domain";
import { Indicator } from "./entities";
import { contributionDelta, datasetContributions, inventoryContributions, nextDatasetFact, nextFeedbackFact, nextInventoryFact } from "./projection";

const event = (type: string, payload: Record<string, unknown>) => ({ type, payload });

describe("dataset facts and their contributions", () => {
  test("a publication counts on its issued day; a retirement on its day, and takes the dataset's badge off the platform", () => {
    const published = nextDatasetFact(null, event("DatasetPublished", { issued: "2015-04-01" }))!;
    const checked = nextDatasetFact(published, event("QualityChecked", { level: "GOLD", resources: [{ structuredFormat: true, linkValidity: true, encodingMatch: null }, { structuredFormat: false }] }))!;
    expect(checked).toMatchObject({ badge: "GOLD", structuredResources: 1, structuredResourcesPassing: 1 });
    const retired = nextDatasetFact(checked, event("DatasetRetired", { issued: "2015-04-01", retiredOn: "2017-01-02" }))!;
    expect(contributionDelta(datasetContributions(checked), datasetContributions(retired))).toEqual([
      { figure: "badge:GOLD", day: null, amount: -1 },
      { figure: "structuredResources", day: null, amount: -1 },
      { figure: "structuredResourcesPassing", day: null, amount: -1 },
      { figure: "retired", day: "2017-01-02", amount: 1 },
    ]);
  });

  test("the same event twice changes nothing the second time; a corrected issued day moves the opening", () => {
    const once = nextDatasetFact(null, event("DatasetPublished", { issued: "2016-05-05" }))!;
    const twice = nextDatasetFact(once, event("DatasetPublished", { issued: "2016-05-05" }))!;
    expect(contributionDelta(datasetContributions(once), datasetContributions(twice))).toEqual([]);
    const corrected = nextDatasetFact(twice, event("DatasetUpdated", { issued: "2017-01-01" }))!;
    expect(contributionDelta(datasetContributions(twice), datasetContributions(corrected))).toEqual([
      { figure: "opened", day: "2016-05-05", amount: -1 },
      { figure: "opened", day: "2017-01-01", amount: 1 },
    ]);
  });

  test("a resource with a failed indicator is structured but not passing", () => {
    const fact = nextDatasetFact(null, event("QualityChecked", { level: "NONE", resources: [{ structuredFormat: true, linkValidity: false }] }))!;
    expect(fact).toMatchObject({ structuredResources: 1, structuredResourcesPassing: 0 });
  });

  test("events about other things are not dataset facts", () => {
    expect(nextDatasetFact(null, event("InventoryItemAdded", {}))).toBeUndefined();
  });
});

test("inventory: an openable holding is planned under its basis, and opened once published", () => {
  const decided = nextInventoryFact(null, event("OpennessDecided", { openness: "OPENABLE", priorityBasis: "REQUIRED_BY_LAW" }))!;
  expect(inventoryContributions(decided)).toEqual([{ figure: "inventoryPlanned:REQUIRED_BY_LAW", day: null, amount: 1 }]);
  const published = nextInventoryFact(decided, event("InventoryItemPublished", { priorityBasis: "REQUIRED_BY_LAW" }))!;
  expect(contributionDelta(inventoryContributions(decided), inventoryContributions(published))).toEqual([{ figure: "inventoryOpened:REQUIRED_BY_LAW", day: null, amount: 1 }]);
  expect(inventoryContributions(nextInventoryFact(null, event("OpennessDecided", { openness: "NOT_OPENABLE" }))!)).toEqual([]);
});

test("feedback: every workflow step carries the comment's deadline facts; reminders do not", () => {
  const received = nextFeedbackFact(null, event("FeedbackReceived", { receivedAt: "2018-01-01T00:00:00.000Z", replyDueAt: "2018-01-15T16:00:00.000Z" }));
  expect(received).toEqual({ receivedAt: "2018-01-01T00:00:00.000Z", replyDueAt: "2018-01-15T16:00:00.000Z", answeredAt: null });
  const approved = nextFeedbackFact(received!, event("ReplyApproved", { ...received, answeredAt: "2018-01-03T00:00:00.000Z" }));
  expect(approved?.answeredAt).toBe("2018-01-03T00:00:00.000Z");
  expect(nextFeedbackFact(approved!, event("ReplyOverdue", { agencyCode: "MOJ" }))).toBeUndefined();
});

describe("figures against targets", () => {
  const progress: ProgressFigures = {
    openedInYear: 137, datasetsOnPlatform: 2041, inventoryOpened: 3, commentsReceived: 0, commentsAnsweredOrDue: 0, repliedWithinDeadline: 0,
    structuredResources: 4, structuredResourcesPassing: 3, overdueNow: 2, civilSocietyPanelMembers: 4, panelMeetingsHeld: 1,
  };

  test("actual, target, gap and whether it is met; no target, no gap", () => {
    const figures = figuresAgainstTargets(progress, new Map([[Indicator.DATASETS_OPENED, 120], [Indicator.COMMENTS_OVERDUE, 0]]));
    expect(figures.find((f) => f.indicator === Indicator.DATASETS_OPENED)).toMatchObject({ actual: 137, target: 120, gap: 17, met: true });
    // Two comments overdue against a target of none: a positive gap, and behind.
    expect(figures.find((f) => f.indicator === Indicator.COMMENTS_OVERDUE)).toMatchObject({ actual: 2, target: 0, gap: 2, met: false });
    expect(figures.find((f) => f.indicator === Indicator.PANEL_MEETINGS)).toMatchObject({ actual: 1, target: null, gap: null, met: null });
    expect(figures.map((f) => f.strategy)).toEqual([...figures.map((f) => f.strategy)].sort());
  });

  test("percentages: no comment received means none was late; structured resources passing", () => {
    expect(actualOf(Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, progress)).toBe(100);
    // 7 received, 3 answered or due, 1 of them on time: the 4 still within their 14 days are neither.
    const comments = { ...progress, commentsReceived: 7, commentsAnsweredOrDue: 3, repliedWithinDeadline: 1 };
    expect(repliedWithinDeadlineShare(comments)).toBeCloseTo(1 / 3);
    expect(actualOf(Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, comments)).toBeCloseTo(100 / 3);
    expect(repliedWithinDeadlineShare({ ...comments, commentsAnsweredOrDue: 0, repliedWithinDeadline: 0 })).toBeNull();
    expect(actualOf(Indicator.STRUCTURED_RESOURCES_PASSING_PERCENT, progress)).toBe(75);
  });

  test("met: at or above the target, at or below it for overdue comments", () => {
    expect(targetMet(Indicator.DATASETS_OPENED, 120, 120)).toBe(true);
    expect(targetMet(Indicator.DATASETS_OPENED, 119, 120)).toBe(false);
    expect(targetMet(Indicator.COMMENTS_OVERDUE, 1, 1)).toBe(true);
    expect(targetMet(Indicator.COMMENTS_OVERDUE, 2, 1)).toBe(false);
    expect(targetMet(Indicator.COMMENTS_OVERDUE, 2, null)).toBeNull();
  });

  test("remarks: met, short by, no target", () => {
    const [opened, overdue] = figuresAgainstTargets({ ...progress, openedInYear: 100, overdueNow: 0 }, new Map([[Indicator.DATASETS_OPENED, 120], [Indicator.COMMENTS_OVERDUE, 1]]), [Indicator.DATASETS_OPENED, Indicator.COMMENTS_OVERDUE]);
    expect(remarkOf(opened)).toBe("未達目標（差 20）");
    expect(remarkOf(overdue)).toBe("達成目標");
    expect(remarkOf(figuresAgainstTargets(progress, new Map(), [Indicator.DATASETS_OPENED])[0])).toBe("未設定目標");
  });
});

test.each([
  [Role.MINISTRY_ADMIN, true],
  [Role.AGENCY_CIO, false],
  [Role.AGENCY_STAFF, false],
  [Role.PANEL_MEMBER, false],
  [Role.PUBLIC, false],
])("who changed a target: %s may read it: %s", (role, may) => {
  expect(mayReadTargetHistory({ sub: "someone", role, ...(role.startsWith("AGENCY") ? { agencyCode: "ACA" } : {}) })).toBe(may);
});

test("an actual is as of the day asked, or today for the figures that exist only as they stand now", () => {
  expect(actualReadOn(Indicator.DATASETS_OPENED, "2017-12-31", "2026-12-05")).toBe("2017-12-31");
  expect(actualReadOn(Indicator.INVENTORY_OPENED, "2017-12-31", "2026-12-05")).toBe("2026-12-05");
  expect(actualReadOn(Indicator.COMMENTS_OVERDUE, "2017-12-31", "2026-12-05")).toBe("2026-12-05");
});

describe("setting a target", () => {
  const target = { agencyCode: "AJ", indicator: Indicator.DATASETS_OPENED, year: 2018, value: 10 };
  const today = "2026-12-05";

  test("the panel's indicators have targets for the ministry only", () => {
    expect(targetProblems({ ...target, indicator: Indicator.CIVIL_PANEL_MEMBERS }, today)).toEqual([{ path: "input.indicator", reason: "is the ministry's own (the advisory panel's): set it for MOJ" }]);
    expect(targetProblems({ ...target, agencyCode: "MOJ", indicator: Indicator.PANEL_MEETINGS }, today)).toEqual([]);
  });

  test("years: those progress is read for, up to ten years ahead", () => {
    expect(targetProblems({ ...target, year: 1912 }, today)).toEqual([]);
    expect(targetProblems({ ...target, year: 2036 }, today)).toEqual([]);
    expect(targetProblems({ ...target, year: 106 }, today)).toEqual([{ path: "input.year", reason: "must be an AD year after 1911" }]);
    expect(targetProblems({ ...target, year: 2037 }, today)).toEqual([{ path: "input.year", reason: "must be 2036 or earlier: targets are set at most 10 years ahead" }]);
  });

  test("values: a whole count up to a million, a percentage up to 100", () => {
    expect(targetProblems({ ...target, value: 1e300 }, today)).toEqual([{ path: "input.value", reason: "counts things: at most 1000000" }]);
    expect(targetProblems({ ...target, value: 1.5 }, today)).toEqual([{ path: "input.value", reason: "counts things: a whole number" }]);
    expect(targetProblems({ ...target, indicator: Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, value: 99.5 }, today)).toEqual([]);
    expect(targetProblems({ ...target, indicator: Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, value: 101 }, today)).toEqual([{ path: "input.value", reason: "is a percentage: at most 100" }]);
  });
});
