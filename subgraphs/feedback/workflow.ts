/**
 * The reply workflow of a public comment, as a table of transitions. Every
 * mutation names one action; `transition` says whether the viewer may take
 * it from the comment's state, and where it leads. Nothing is published to
 * the public before the owning agency's CIO approves it (the ministry's own
 * rule, on top of the national platform's).
 *
 *   (submitFeedback: the receipt, the first step of every history)
 *      │
 *      ▼
 *   RECEIVED ──draftReply──▶ REPLY_DRAFTED ──submitReplyForApproval──▶ AWAITING_APPROVAL
 *      ▲                         ▲  │ draftReply (revise)                  │         │
 *      │                         │  ▼                                      │ approve │ return (with a reason)
 *      │                      RETURNED ◀───────────────────────────────────┼─────────┘
 *      │ followUp                                                          ▼
 *      └──────────────────────────────── CLOSED ◀──closeFeedback── ANSWERED
 */
import { Role, type Viewer } from "../../contract/claims";

export enum FeedbackState {
  RECEIVED = "RECEIVED",
  REPLY_DRAFTED = "REPLY_DRAFTED",
  AWAITING_APPROVAL = "AWAITING_APPROVAL",
  RETURNED = "RETURNED",
  ANSWERED = "ANSWERED",
  CLOSED = "CLOSED",
}

export enum FeedbackAction {
  /** The comment arrived (submitFeedback): the first step of every comment's history. */
  RECEIVE = "RECEIVE",
  DRAFT_REPLY = "DRAFT_REPLY",
  SUBMIT_REPLY_FOR_APPROVAL = "SUBMIT_REPLY_FOR_APPROVAL",
  APPROVE_REPLY = "APPROVE_REPLY",
  RETURN_REPLY = "RETURN_REPLY",
  FOLLOW_UP = "FOLLOW_UP",
  CLOSE = "CLOSE",
}

type Actor = "OWNING_STAFF" | "OWNING_CIO" | "OWNING_AGENCY" | "CITIZEN";

interface Rule {
  from: readonly FeedbackState[];
  to: FeedbackState;
  by: Actor;
  /** The action must say why (a returned reply tells staff what to change). */
  needsReason?: boolean;
}

/** The actions taken on a comment that exists; the receipt creates it. */
export type WorkflowAction = Exclude<FeedbackAction, FeedbackAction.RECEIVE>;

export const WORKFLOW: Record<WorkflowAction, Rule> = {
  [FeedbackAction.DRAFT_REPLY]: {
    from: [FeedbackState.RECEIVED, FeedbackState.REPLY_DRAFTED, FeedbackState.RETURNED],
    to: FeedbackState.REPLY_DRAFTED,
    by: "OWNING_STAFF",
  },
  [FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL]: { from: [FeedbackState.REPLY_DRAFTED], to: FeedbackState.AWAITING_APPROVAL, by: "OWNING_STAFF" },
  [FeedbackAction.APPROVE_REPLY]: { from: [FeedbackState.AWAITING_APPROVAL], to: FeedbackState.ANSWERED, by: "OWNING_CIO" },
  [FeedbackAction.RETURN_REPLY]: { from: [FeedbackState.AWAITING_APPROVAL], to: FeedbackState.RETURNED, by: "OWNING_CIO", needsReason: true },
  [FeedbackAction.FOLLOW_UP]: { from: [FeedbackState.ANSWERED, FeedbackState.CLOSED], to: FeedbackState.RECEIVED, by: "CITIZEN" },
  [FeedbackAction.CLOSE]: { from: [FeedbackState.ANSWERED], to: FeedbackState.CLOSED, by: "OWNING_AGENCY" },
};

/** Who may act, named for the comment's agency. */
const actorNames: Record<Actor, (owner: string) => string> = {
  OWNING_STAFF: (owner) => `staff of ${owner}`,
  OWNING_CIO: (owner) => `the CIO of ${owner}`,
  OWNING_AGENCY: (owner) => `staff or the CIO of ${owner}`,
  CITIZEN: () => "the citizen who wrote the comment, giving the email address it was submitted with",
};

/** Each action as a person says it, and when it can be taken (what to do first). */
const ACTION_TEXT: Record<WorkflowAction, { verb: string; when: string }> = {
  [FeedbackAction.DRAFT_REPLY]: {
    verb: "draft a reply",
    when: "A reply can be drafted until it is submitted for approval, and again once the CIO returns it",
  },
  [FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL]: { verb: "submit the reply for approval", when: "Draft a reply first (draftReply), then submit it" },
  [FeedbackAction.APPROVE_REPLY]: {
    verb: "approve the reply",
    when: "Staff must submit a drafted reply for approval (submitReplyForApproval) before the CIO can approve it",
  },
  [FeedbackAction.RETURN_REPLY]: { verb: "return the reply", when: "Only a reply awaiting the CIO's approval can be returned to staff" },
  [FeedbackAction.FOLLOW_UP]: {
    verb: "follow up on the comment",
    when: "A follow-up can be written once the agency's reply is published (the comment is answered or closed)",
  },
  [FeedbackAction.CLOSE]: { verb: "close the comment", when: "Only an answered comment can be closed: its CIO must approve a reply first" },
};

const STATE_TEXT: Record<FeedbackState, string> = {
  [FeedbackState.RECEIVED]: "has no reply drafted yet",
  [FeedbackState.REPLY_DRAFTED]: "has a drafted reply not yet submitted for approval",
  [FeedbackState.AWAITING_APPROVAL]: "has a reply awaiting the CIO's approval",
  [FeedbackState.RETURNED]: "has a reply the CIO returned for changes",
  [FeedbackState.ANSWERED]: "is already answered",
  [FeedbackState.CLOSED]: "is closed",
};

function isActor(actor: Actor, viewer: Viewer, owner: string, isCommenter: boolean): boolean {
  const ownAgency = viewer.agencyCode === owner;
  switch (actor) {
    case "OWNING_STAFF":
      return ownAgency && viewer.role === Role.AGENCY_STAFF;
    case "OWNING_CIO":
      return ownAgency && viewer.role === Role.AGENCY_CIO;
    case "OWNING_AGENCY":
      return ownAgency && (viewer.role === Role.AGENCY_STAFF || viewer.role === Role.AGENCY_CIO);
    case "CITIZEN":
      return isCommenter;
  }
}

export type TransitionCheck =
  | { ok: true; to: FeedbackState }
  | { ok: false; code: "FORBIDDEN" | "CONFLICT" | "BAD_USER_INPUT"; reason: string };

/**
 * Whether `viewer` may take `action` on a comment of agency `owner` in state
 * `from`. `isCommenter` says the viewer proved to be its author. A refusal's
 * reason is written for the person refused: what stands in the way and what
 * to do instead.
 */
export function transition(
  action: WorkflowAction,
  from: FeedbackState,
  context: { viewer: Viewer; owner: string; isCommenter?: boolean; reason?: string | null },
): TransitionCheck {
  const rule = WORKFLOW[action];
  const { verb, when } = ACTION_TEXT[action];
  if (!isActor(rule.by, context.viewer, context.owner, context.isCommenter ?? false)) {
    return { ok: false, code: "FORBIDDEN", reason: `Only ${actorNames[rule.by](context.owner)} may ${verb}.` };
  }
  if (!rule.from.includes(from)) {
    return { ok: false, code: "CONFLICT", reason: `You cannot ${verb} now: this comment ${STATE_TEXT[from]}. ${when}.` };
  }
  if (rule.needsReason && !context.reason?.trim()) {
    return { ok: false, code: "BAD_USER_INPUT", reason: `To ${verb}, say why: staff revise the reply from your reason.` };
  }
  return { ok: true, to: rule.to };
}

/**
 * The actions `viewer` may take on a comment in state `from`, so a client
 * shows only the buttons the API would accept (a reason, when one is needed,
 * is asked for at the time).
 */
export function availableActions(from: FeedbackState, context: { viewer: Viewer; owner: string }): WorkflowAction[] {
  return (Object.keys(WORKFLOW) as WorkflowAction[]).filter((action) => {
    const check = transition(action, from, context);
    return check.ok || check.code === "BAD_USER_INPUT";
  });
}
