import { nextIndexEntry } from "./dataset-index";

const event = (type: string, payload: Record<string, unknown>) => ({ type, payload });
const listed = {
  identifier: "ACA-1",
  title: "收容人數",
  description: "每月底收容人數",
  category: "公共資訊",
  keywords: ["矯正"],
  issued: "2016-01-02",
  modified: "2026-12-02T01:02:03.456Z",
  lifecycleState: "PUBLISHED",
  retiredOn: null,
};

describe("the dataset index's entries", () => {
  test("a publication makes the entry from the event's listing fields; a quality check sets its badge; an update keeps the badge", () => {
    const published = nextIndexEntry(null, event("DatasetPublished", { ...listed, formats: ["CSV"] }))!;
    expect(published).toEqual({ ...listed, formats: ["CSV"], badge: null });
    const checked = nextIndexEntry(published, event("QualityChecked", { level: "GOLD" }))!;
    expect(checked.badge).toBe("GOLD");
    const updated = nextIndexEntry(checked, event("DatasetUpdated", { ...listed, title: "收容人數（月）", formats: ["CSV", "JSON"] }))!;
    expect(updated).toMatchObject({ title: "收容人數（月）", formats: ["CSV", "JSON"], badge: "GOLD" });
  });

  test("a retirement without resource formats keeps the indexed formats and records the state and day", () => {
    const published = nextIndexEntry(null, event("DatasetPublished", { ...listed, formats: ["XML"] }))!;
    const retired = nextIndexEntry(published, event("DatasetRetired", { ...listed, lifecycleState: "RETIRED", retiredOn: "2017-03-01" }))!;
    expect(retired).toMatchObject({ lifecycleState: "RETIRED", retiredOn: "2017-03-01", formats: ["XML"] });
  });

  test("events that carry no listing fields (written before they travelled), inventory events and checks of unknown datasets make no entry", () => {
    expect(nextIndexEntry(null, event("DatasetPublished", { identifier: "ACA-1", issued: "2016-01-02" }))).toBeUndefined();
    expect(nextIndexEntry(null, event("OpennessDecided", { openness: "OPENABLE" }))).toBeUndefined();
    expect(nextIndexEntry(null, event("QualityChecked", { level: "GOLD" }))).toBeUndefined();
  });
});
