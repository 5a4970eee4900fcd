import { Role, type Viewer } from "./claims";
import { EVENT_AUDIENCE, eventKindsFor, mayReceiveEvent } from "./visibility";

const viewers: Record<string, Viewer> = {
  public: { sub: "anonymous", role: Role.PUBLIC },
  ownStaff: { sub: "s", role: Role.AGENCY_STAFF, agencyCode: "ACA" },
  ownCio: { sub: "c", role: Role.AGENCY_CIO, agencyCode: "ACA" },
  otherStaff: { sub: "o", role: Role.AGENCY_STAFF, agencyCode: "MOJ" },
  ministry: { sub: "m", role: Role.MINISTRY_ADMIN },
  panel: { sub: "p", role: Role.PANEL_MEMBER },
};

/** Who sees each event kind of ACA's shard. */
const expected: Record<string, string[]> = {
  DatasetPublished: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetUpdated: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetRetired: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  QualityChecked: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  InventoryItemAdded: ["ownStaff", "ownCio", "ministry", "panel"],
  OpennessDecided: ["ownStaff", "ownCio", "ministry", "panel"],
  DeIdentificationRecorded: ["ownStaff", "ownCio", "ministry", "panel"],
  InventoryItemPublished: ["ownStaff", "ownCio", "ministry", "panel"],
  PersonalDataFound: ["ownStaff", "ownCio", "ministry"],
  PersonalDataExempted: ["ownStaff", "ownCio", "ministry"],
  FeedbackReceived: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  ReplyApproved: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  FeedbackFollowedUp: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  FeedbackClosed: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  ReplyDrafted: ["ownStaff", "ownCio", "ministry"],
  ReplySubmittedForApproval: ["ownStaff", "ownCio", "ministry"],
  ReplyReturned: ["ownStaff", "ownCio", "ministry"],
  ReplyDueSoon: ["ownStaff", "ownCio", "ministry"],
  ReplyOverdue: ["ownStaff", "ownCio", "ministry"],
  DatasetRequestReceived: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetRequestReassigned: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetRequestAssigned: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetRequestTransferred: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  DatasetRequestClosed: ["public", "ownStaff", "ownCio", "ministry", "panel"],
  SomethingNew: ["ownStaff", "ownCio", "ministry"],
};

describe("who receives each event kind (another agency's staff follow their own agency's stream only)", () => {
  it("names every kind the rules know", () => {
    expect(Object.keys(EVENT_AUDIENCE).sort()).toEqual(Object.keys(expected).filter((type) => type !== "SomethingNew").sort());
  });

  for (const [type, audience] of Object.entries(expected)) {
    it(`${type}: ${audience.join(", ")}`, () => {
      const seenBy = Object.keys(viewers).filter((name) => mayReceiveEvent(viewers[name], { type, agencyCode: "ACA" }));
      expect(seenBy).toEqual(audience);
    });
  }
});

describe("the kinds a shard counts for a viewer's latest events (eventKindsFor)", () => {
  it("every kind, listed or not, for ACA's own roles and the ministry", () => {
    for (const name of ["ownStaff", "ownCio", "ministry"]) expect(eventKindsFor(viewers[name], "ACA")).toBeNull();
  });

  it("for anyone else, the kinds the table above lets them receive: none for another agency's staff", () => {
    for (const name of ["public", "panel", "otherStaff"]) {
      const seen = Object.keys(expected).filter((type) => expected[type].includes(name));
      expect([name, eventKindsFor(viewers[name], "ACA")?.sort()]).toEqual([name, seen.sort()]);
    }
  });
});
