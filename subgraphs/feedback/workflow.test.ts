import { Role, type Viewer } from "../../contract/claims";
import { availableActions, FeedbackAction, FeedbackState, transition, WORKFLOW, type WorkflowAction } from "./workflow";

const staff = (agencyCode: string): Viewer => ({ sub: "s", role: Role.AGENCY_STAFF, agencyCode });
const cio = (agencyCode: string): Viewer => ({ sub: "c", role: Role.AGENCY_CIO, agencyCode });
const admin: Viewer = { sub: "a", role: Role.MINISTRY_ADMIN };
const citizen: Viewer = { sub: "anonymous", role: Role.PUBLIC };

describe("the reply workflow", () => {
  test("the happy path: draft, submit, approve by the owning CIO, close", () => {
    const steps: [WorkflowAction, FeedbackState, Viewer, FeedbackState][] = [
      [FeedbackAction.DRAFT_REPLY, FeedbackState.RECEIVED, staff("ACA"), FeedbackState.REPLY_DRAFTED],
      [FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL, FeedbackState.REPLY_DRAFTED, staff("ACA"), FeedbackState.AWAITING_APPROVAL],
      [FeedbackAction.APPROVE_REPLY, FeedbackState.AWAITING_APPROVAL, cio("ACA"), FeedbackState.ANSWERED],
      [FeedbackAction.CLOSE, FeedbackState.ANSWERED, cio("ACA"), FeedbackState.CLOSED],
    ];
    for (const [action, from, viewer, to] of steps) expect(transition(action, from, { viewer, owner: "ACA" })).toEqual({ ok: true, to });
  });

  test("a returned reply needs a reason, and is revised by drafting again", () => {
    expect(transition(FeedbackAction.RETURN_REPLY, FeedbackState.AWAITING_APPROVAL, { viewer: cio("ACA"), owner: "ACA", reason: " " })).toMatchObject({ ok: false, code: "BAD_USER_INPUT" });
    expect(transition(FeedbackAction.RETURN_REPLY, FeedbackState.AWAITING_APPROVAL, { viewer: cio("ACA"), owner: "ACA", reason: "cite the legal basis" })).toEqual({ ok: true, to: FeedbackState.RETURNED });
    expect(transition(FeedbackAction.DRAFT_REPLY, FeedbackState.RETURNED, { viewer: staff("ACA"), owner: "ACA" })).toEqual({ ok: true, to: FeedbackState.REPLY_DRAFTED });
  });

  test("only the owning agency's CIO approves: not its staff, not another agency's CIO, not the ministry", () => {
    for (const viewer of [staff("ACA"), cio("MOJ"), admin, citizen]) {
      expect(transition(FeedbackAction.APPROVE_REPLY, FeedbackState.AWAITING_APPROVAL, { viewer, owner: "ACA" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
  });

  test("only the owning agency's staff draft", () => {
    for (const viewer of [staff("MOJ"), cio("ACA"), admin, citizen]) {
      expect(transition(FeedbackAction.DRAFT_REPLY, FeedbackState.RECEIVED, { viewer, owner: "ACA" })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
  });

  test("a citizen's follow-up reopens an answered or closed thread, and only its author's", () => {
    for (const from of [FeedbackState.ANSWERED, FeedbackState.CLOSED]) {
      expect(transition(FeedbackAction.FOLLOW_UP, from, { viewer: citizen, owner: "ACA", isCommenter: true })).toEqual({ ok: true, to: FeedbackState.RECEIVED });
    }
    expect(transition(FeedbackAction.FOLLOW_UP, FeedbackState.ANSWERED, { viewer: citizen, owner: "ACA", isCommenter: false })).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });

  test("every action from every state it does not allow is a conflict, never a silent change", () => {
    for (const [action, rule] of Object.entries(WORKFLOW) as [WorkflowAction, (typeof WORKFLOW)[WorkflowAction]][]) {
      const viewer = rule.by === "OWNING_CIO" ? cio("ACA") : rule.by === "CITIZEN" ? citizen : staff("ACA");
      for (const from of Object.values(FeedbackState).filter((state) => !rule.from.includes(state))) {
        expect(transition(action, from, { viewer, owner: "ACA", isCommenter: true, reason: "r" })).toMatchObject({ ok: false, code: "CONFLICT" });
      }
    }
  });

  describe("each refusal is a sentence a person can act on", () => {
    const everyRefusal = () => {
      const refusals: { action: WorkflowAction; from: FeedbackState; code: string; reason: string }[] = [];
      for (const action of Object.keys(WORKFLOW) as WorkflowAction[]) {
        for (const from of Object.values(FeedbackState)) {
          for (const viewer of [staff("ACA"), cio("ACA"), staff("MOJ"), admin, citizen]) {
            for (const isCommenter of [true, false]) {
              const check = transition(action, from, { viewer, owner: "ACA", isCommenter, reason: null });
              if (!check.ok) refusals.push({ action, from, code: check.code, reason: check.reason });
            }
          }
        }
      }
      return refusals;
    };

    test("no action or state names, a capital first and a full stop last", () => {
      const refusals = everyRefusal();
      expect(refusals.length).toBeGreaterThan(100);
      for (const { reason } of refusals) {
        expect(reason).toMatch(/^[A-Z].*\.$/s);
        expect(reason).not.toMatch(/[A-Z]{2,}_[A-Z_]+|\b(RECEIVED|ANSWERED|CLOSED|RETURNED)\b/);
      }
    });

    test("a conflict says where the comment stands and what must happen first", () => {
      expect(transition(FeedbackAction.APPROVE_REPLY, FeedbackState.ANSWERED, { viewer: cio("ACA"), owner: "ACA" })).toEqual({
        ok: false,
        code: "CONFLICT",
        reason:
          "You cannot approve the reply now: this comment is already answered. Staff must submit a drafted reply for approval (submitReplyForApproval) before the CIO can approve it.",
      });
      expect(transition(FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL, FeedbackState.RECEIVED, { viewer: staff("ACA"), owner: "ACA" })).toMatchObject({
        reason: "You cannot submit the reply for approval now: this comment has no reply drafted yet. Draft a reply first (draftReply), then submit it.",
      });
    });

    test("a refusal by role names who may act, for the comment's agency", () => {
      expect(transition(FeedbackAction.APPROVE_REPLY, FeedbackState.AWAITING_APPROVAL, { viewer: staff("ACA"), owner: "ACA" })).toMatchObject({
        code: "FORBIDDEN",
        reason: "Only the CIO of ACA may approve the reply.",
      });
      expect(transition(FeedbackAction.RETURN_REPLY, FeedbackState.AWAITING_APPROVAL, { viewer: cio("ACA"), owner: "ACA", reason: "" })).toMatchObject({
        code: "BAD_USER_INPUT",
        reason: "To return the reply, say why: staff revise the reply from your reason.",
      });
    });
  });

  test("the actions a viewer may take, per role: what the console shows as buttons", () => {
    const owner = "ACA";
    expect(availableActions(FeedbackState.RECEIVED, { viewer: staff("ACA"), owner })).toEqual([FeedbackAction.DRAFT_REPLY]);
    expect(availableActions(FeedbackState.REPLY_DRAFTED, { viewer: staff("ACA"), owner })).toEqual([FeedbackAction.DRAFT_REPLY, FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL]);
    expect(availableActions(FeedbackState.AWAITING_APPROVAL, { viewer: staff("ACA"), owner })).toEqual([]);
    expect(availableActions(FeedbackState.AWAITING_APPROVAL, { viewer: cio("ACA"), owner })).toEqual([FeedbackAction.APPROVE_REPLY, FeedbackAction.RETURN_REPLY]);
    expect(availableActions(FeedbackState.ANSWERED, { viewer: cio("ACA"), owner })).toEqual([FeedbackAction.CLOSE]);
    for (const viewer of [cio("MOJ"), admin, citizen]) expect(availableActions(FeedbackState.AWAITING_APPROVAL, { viewer, owner })).toEqual([]);
  });
});
