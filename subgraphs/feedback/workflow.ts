/**
 * The reply workflow of a public comment, as a table of transitions. Every
 * mutation names one action; `transition` says whether the viewer may take
 * it from the comment's state, and where it leads. Nothing is published to
 * the public before the owning agency's CIO approves it (the ministry's own
 * rule, on top of the national platform's).
 *
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

export const WORKFLOW: Record<FeedbackAction, Rule> = {
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

const actorNames: Record<Actor, string> = {
  OWNING_STAFF: "staff of the owning agency",
  OWNING_CIO: "the owning agency's CIO",
  OWNING_AGENCY: "staff or the CIO of the owning agency",
  CITIZEN: "the citizen who wrote the comment",
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
 * `from`. `isCommenter` says the viewer proved to be its author.
 */
export function transition(
  action: FeedbackAction,
  from: FeedbackState,
  context: { viewer: Viewer; owner: string; isCommenter?: boolean; reason?: string | null },
): TransitionCheck {
  const rule = WORKFLOW[action];
  if (!isActor(rule.by, context.viewer, context.owner, context.isCommenter ?? false)) {
    return { ok: false, code: "FORBIDDEN", reason: `only ${actorNames[rule.by]} may ${describe(action)}` };
  }
  if (!rule.from.includes(from)) {
    return { ok: false, code: "CONFLICT", reason: `cannot ${describe(action)} a comment that is ${from}; allowed from ${rule.from.join(", ")}` };
  }
  if (rule.needsReason && !context.reason?.trim()) return { ok: false, code: "BAD_USER_INPUT", reason: `to ${describe(action)}, give a reason` };
  return { ok: true, to: rule.to };
}

function describe(action: FeedbackAction): string {
  return action.toLowerCase().replace(/_/g, " ");
}

/**
 * The actions `viewer` may take on a comment in state `from`, so a client
 * shows only the buttons the API would accept (a reason, when one is needed,
 * is asked for at the time).
 */
export function availableActions(from: FeedbackState, context: { viewer: Viewer; owner: string }): FeedbackAction[] {
  return Object.values(FeedbackAction).filter((action) => {
    const check = transition(action, from, context);
    return check.ok || check.code === "BAD_USER_INPUT";
  });
}
