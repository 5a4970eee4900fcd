import { Role, type Viewer } from "./claims";
import { EVENT_AUDIENCE, mayReceiveEvent } from "./visibility";

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
