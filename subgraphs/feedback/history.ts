/**
 * A comment's history (Feedback.transitions): its receipt first, then every
 * workflow action taken on it, so the history and the event stream tell the
 * same story step for step.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Viewer } from "../../contract/claims";
import { Feedback, FeedbackTransition } from "./entities";
import { FeedbackAction, FeedbackState } from "./workflow";

export interface Step {
  action: FeedbackAction;
  /** Null for the receipt: the comment had no state before. */
  fromState: FeedbackState | null;
  toState: FeedbackState;
  viewer: Viewer;
  reason?: string;
  at: Date;
}

export function recordStep(em: EntityManager, feedback: Feedback, { action, fromState, toState, viewer, reason, at }: Step): void {
  em.persist(em.create(FeedbackTransition, { feedback, action, fromState, toState, actor: viewer.sub, actorRole: viewer.role, reason, at }));
}

/** The first step of every comment: received from `viewer`, when it was received. */
export function recordReceipt(em: EntityManager, feedback: Feedback, viewer: Viewer): void {
  recordStep(em, feedback, { action: FeedbackAction.RECEIVE, fromState: null, toState: FeedbackState.RECEIVED, viewer, at: feedback.receivedAt });
}
