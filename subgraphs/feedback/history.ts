/**
 * A comment's history (Feedback.transitions): its receipt first, then every
 * workflow action taken on it, so the history and the event stream tell the
 * same story step for step.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Viewer } from "../../contract/claims";
import { aboutSubject, type AgencyEventPayload } from "../kit/outbox";
import { Feedback, FeedbackTransition } from "./entities";
import { FeedbackAction, FeedbackState } from "./workflow";

/** The outbox event type of each workflow action. */
export const EVENT_OF: Record<FeedbackAction, string> = {
  [FeedbackAction.RECEIVE]: "FeedbackReceived",
  [FeedbackAction.DRAFT_REPLY]: "ReplyDrafted",
  [FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL]: "ReplySubmittedForApproval",
  [FeedbackAction.APPROVE_REPLY]: "ReplyApproved",
  [FeedbackAction.RETURN_REPLY]: "ReplyReturned",
  [FeedbackAction.FOLLOW_UP]: "FeedbackFollowedUp",
  [FeedbackAction.CLOSE]: "FeedbackClosed",
};

/**
 * What every event of a comment carries: whose it is, its title, and its days against its deadline (metrics counts
 * replies from the history alone).
 */
export function commentFacts(feedback: Pick<Feedback, "agencyCode" | "title" | "receivedAt" | "replyDueAt" | "answeredAt">): AgencyEventPayload {
  return {
    ...aboutSubject(feedback),
    receivedAt: feedback.receivedAt.toISOString(),
    replyDueAt: feedback.replyDueAt.toISOString(),
    answeredAt: feedback.answeredAt?.toISOString() ?? null,
  };
}

export interface Step {
  action: FeedbackAction;
  /** Null for the receipt: the comment had no state before. */
  fromState: FeedbackState | null;
  toState: FeedbackState;
  viewer: Viewer;
  reason?: string;
  at: Date;
}

/** A step of `feedback`'s history, not yet written: recordStep's, or a statement's that writes it with the change. */
export function historyStep(feedback: Feedback, { action, fromState, toState, viewer, reason, at }: Step): FeedbackTransition {
  return Object.assign(new FeedbackTransition(), { feedback, action, fromState, toState, actor: viewer.sub, actorRole: viewer.role, reason, at });
}

export function recordStep(em: EntityManager, feedback: Feedback, step: Step): void {
  em.persist(historyStep(feedback, step));
}

/** The first step of every comment: received from `viewer`, when it was received. */
export function receipt(feedback: Feedback, viewer: Viewer): FeedbackTransition {
  return historyStep(feedback, { action: FeedbackAction.RECEIVE, fromState: null, toState: FeedbackState.RECEIVED, viewer, at: feedback.receivedAt });
}
