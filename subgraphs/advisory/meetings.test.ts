import { consultedItemOf, followUpsAt, isSeatedOn, meetingDayProblem, minutesChangeProblem, notYetHeldProblem, quorumOf, resolutionStatusOn, ResolutionStatus } from "./meetings";

test("a quorum is more than half of the seated members", () => {
  expect(quorumOf(12, 6)).toEqual({ seated: 12, required: 7, present: 6, met: false });
  expect(quorumOf(12, 7)).toEqual({ seated: 12, required: 7, present: 7, met: true });
  expect(quorumOf(11, 5).met).toBe(false);
  expect(quorumOf(11, 6)).toEqual({ seated: 11, required: 6, present: 6, met: true });
  expect(quorumOf(0, 0)).toEqual({ seated: 0, required: 1, present: 0, met: false });
});

test("a member is seated from the appointment day until the day they leave", () => {
  const member = { appointedOn: "2015-06-01", leftOn: "2016-01-10" };
  expect(isSeatedOn(member, "2015-05-31")).toBe(false);
  expect(isSeatedOn(member, "2015-06-01")).toBe(true);
  expect(isSeatedOn(member, "2016-01-09")).toBe(true);
  expect(isSeatedOn(member, "2016-01-10")).toBe(false);
  expect(isSeatedOn({ appointedOn: "2015-06-01" }, "2030-01-01")).toBe(true);
});

test("a resolution is open until its due day, overdue the day after, done from the day it is done", () => {
  const resolution = { dueOn: "2016-06-30", doneOn: null };
  expect(resolutionStatusOn(resolution, "2016-06-30")).toBe(ResolutionStatus.OPEN);
  expect(resolutionStatusOn(resolution, "2016-07-01")).toBe(ResolutionStatus.OVERDUE);
  expect(resolutionStatusOn({ ...resolution, doneOn: "2016-08-01" }, "2016-07-31")).toBe(ResolutionStatus.OVERDUE);
  expect(resolutionStatusOn({ ...resolution, doneOn: "2016-08-01" }, "2016-08-01")).toBe(ResolutionStatus.DONE);
  expect(resolutionStatusOn({ dueOn: null }, "2099-01-01")).toBe(ResolutionStatus.OPEN);
});

test("a meeting follows up the earlier meetings' resolutions not done before it, with their status on its day", () => {
  const open = { id: "open", meetingHeldOn: "2015-06-22", dueOn: "2016-12-31" };
  const late = { id: "late", meetingHeldOn: "2015-06-22", dueOn: "2015-09-30" };
  const doneBefore = { id: "doneBefore", meetingHeldOn: "2015-06-22", dueOn: "2015-09-30", doneOn: "2015-09-01" };
  const doneThatDay = { id: "doneThatDay", meetingHeldOn: "2015-06-22", dueOn: "2015-09-30", doneOn: "2016-03-29" };
  const same = { id: "same", meetingHeldOn: "2016-03-29", dueOn: "2016-06-30" };
  const followUps = followUpsAt([open, late, doneBefore, doneThatDay, same], (r) => r.meetingHeldOn, "2016-03-29");
  expect(followUps.map(({ resolution, status }) => [resolution.id, status])).toEqual([
    ["open", ResolutionStatus.OPEN],
    ["late", ResolutionStatus.OVERDUE],
    ["doneThatDay", ResolutionStatus.DONE],
  ]);
});

test("a consultation asks about its one inventory item; other items consult nothing", () => {
  const subjects = [
    { kind: "AGENCY", agencyCode: "ACA", entityId: null },
    { kind: "INVENTORY_ITEM", agencyCode: "ACA", entityId: "i1" },
  ];
  expect(consultedItemOf({ kind: "CONSULTATION" }, subjects)).toEqual({ agencyCode: "ACA", id: "i1" });
  expect(consultedItemOf({ kind: "REVIEW" }, subjects)).toBeNull();
  expect(consultedItemOf({ kind: "CONSULTATION" }, subjects.slice(0, 1))).toBeNull();
});

test("what happened at a meeting is recorded from its day on", () => {
  expect(notYetHeldProblem("2027-01-20", "2026-12-05")).toBe("the meeting is on 2027-01-20; what happened at it is recorded from that day on");
  expect(notYetHeldProblem("2027-01-20", "2027-01-19")).not.toBeNull();
  expect(notYetHeldProblem("2027-01-20", "2027-01-20")).toBeNull();
  expect(notYetHeldProblem("2016-03-29", "2026-12-05")).toBeNull();
});

test("a resolution is due, and done, from its meeting's day; done no later than today", () => {
  expect(meetingDayProblem("2020-01-01", "2026-12-20")).toBe("is before the meeting (2026-12-20)");
  expect(meetingDayProblem("2026-12-20", "2026-12-20")).toBeNull();
  expect(meetingDayProblem("2099-01-01", "2026-12-20")).toBeNull();
  expect(meetingDayProblem("2099-01-01", "2026-06-15", "2026-12-05")).toBe("is after today (2026-12-05 in Taipei)");
  expect(meetingDayProblem("2001-01-01", "2026-06-15", "2026-12-05")).toBe("is before the meeting (2026-06-15)");
  expect(meetingDayProblem("2026-12-05", "2026-06-15", "2026-12-05")).toBeNull();
});

test("minutes change until they are published; then only the same text is accepted again", () => {
  const recorded = { heldOn: "2026-06-15", minutes: "未公開之紀錄", minutesPublished: false };
  expect(minutesChangeProblem(recorded, "修正之紀錄")).toBeNull();
  const published = { ...recorded, minutesPublished: true };
  expect(minutesChangeProblem(published, "修正之紀錄")).toBe("the minutes of 2026-06-15 are published and stay as published");
  expect(minutesChangeProblem(published, "未公開之紀錄")).toBeNull();
});
