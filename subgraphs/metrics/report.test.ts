import { Indicator, Strategy } from "./entities";
import { reportCsv, reportHtml } from "./report";

const report = {
  year: 2017,
  rocYear: 106,
  from: "2017-01-01",
  asOf: "2017-12-31",
  rows: [
    { strategy: Strategy.EXPAND_OPEN_DATA, agencyCode: "ACA", indicator: Indicator.DATASETS_OPENED, target: 20, actual: 21, readOn: "2017-12-31", gap: 1, remarks: "達成目標" },
    { strategy: Strategy.IMPROVE_QUALITY, agencyCode: "ACA", indicator: Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, target: null, actual: 87.5, readOn: "2017-12-31", gap: null, remarks: "未設定目標" },
    { strategy: Strategy.IMPROVE_QUALITY, agencyCode: "ACA", indicator: Indicator.COMMENTS_OVERDUE, target: null, actual: 2, readOn: "2026-12-05", gap: null, remarks: "未設定目標" },
  ],
};

test("the CSV has a header and a row per strategy, agency and indicator", () => {
  const lines = reportCsv(report).replace(/^\uFEFF/, "").trim().split("\n");
  expect(lines[0]).toBe("strategy,agencyCode,agency,indicator,target,actual,gap,remarks,readOn");
  expect(lines[1]).toBe("1,ACA,法務部矯正署,DATASETS_OPENED,20,21,1,達成目標,2017-12-31");
  expect(lines[2]).toBe("2,ACA,法務部矯正署,REPLIES_WITHIN_DEADLINE_PERCENT,,87.5,,未設定目標,2017-12-31");
  // Overdue comments exist only as they stand now: the row says the day they were read.
  expect(lines[3]).toBe("2,ACA,法務部矯正署,COMMENTS_OVERDUE,,2,,未設定目標,2026-12-05");
});

test("the HTML page has a server-rendered chart per strategy with rows, and loads nothing from elsewhere", () => {
  const html = reportHtml(report);
  expect(html.match(/<svg/g)).toHaveLength(2);
  expect(html).toContain("策略一 擴大推動資料開放");
  expect(html).toContain("民國106年");
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
});

test("a meeting cycle's page names the cycle and the year whose targets it is set against", () => {
  const html = reportHtml({ ...report, year: 2018, rocYear: 107, from: "2017-03-29", asOf: "2018-03-19", meetingHeldOn: "2018-03-19", previousMeetingHeldOn: "2017-03-28" });
  expect(html).toContain("諮詢小組 2018-03-19 會議週期（2017-03-29 至 2018-03-19，對照民國107年目標）");
  expect(html.match(/<svg/g)).toHaveLength(2);
});
