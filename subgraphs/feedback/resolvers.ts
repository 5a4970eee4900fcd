import { IsEmail, IsOptional } from "class-validator";
import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { LockMode, UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/postgresql";
import { EntityId, EntityIdArg, TextLength } from "../kit/validation";
import { insiders } from "../../contract/visibility";
import { ErrorCode, forbidden, govError, notFound } from "../../contract/errors";
import { EventSubscription } from "../kit/events";
import { appendAgencyEvent } from "../kit/outbox";
import { assertOwnShard, isRequested, ShardBy } from "../kit/shard";
import { CalendarDate } from "../kit/scalars";
import { deadlineState, DeadlineState, lastReplyDayOf, noFeedbackStats, replyDueAt } from "./deadline";
import { Feedback, FeedbackStats, FeedbackTransition, Reply, ReplyAuthor } from "./entities";
import { scheduleReminders } from "./reminders";
import { commentFacts, EVENT_OF, recordStep } from "./history";
import { storeSubmission } from "./submission";
import { FeedbackAction, transition, type WorkflowAction } from "./workflow";
import type { FeedbackContext } from "./context";

/** The feedback subgraph's view of an agency: its reply performance, from its own shard. */
@ObjectType("Agency")
@Directive('@key(fields: "code")')
@Directive('@shardKey(field: "code")')
export class FeedbackAgency {
  @Field(() => ID)
  code!: string;
}

/** A catalogue dataset, referred to by key; the catalogue shard of its agency resolves it. */
@ObjectType("Dataset")
@Directive('@key(fields: "agencyCode id", resolvable: false)')
@Directive('@shardKey(field: "agencyCode")')
export class DatasetReference {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  id!: string;
}

@InputType({ description: "A public comment; anyone may submit one, with an email address for the reply." })
class SubmitFeedbackInput {
  @Field(() => ID, { description: "The agency asked to answer: the shard the comment is written to." })
  agencyCode!: string;

  @Field(() => ID, { nullable: true, description: "The dataset commented on, if any (its id in the same agency's catalogue)." })
  @IsOptional()
  @EntityId("a dataset")
  datasetId?: string;

  @Field()
  @IsEmail({}, { message: "must be an email address" })
  @TextLength(3, 254)
  email!: string;

  @Field({ description: "e.g. 資源資料編碼錯誤." })
  @TextLength(1, 50)
  commentType!: string;

  @Field(() => String, { nullable: true, description: "Who the commenter is (身份別)." })
  @IsOptional()
  @TextLength(1, 50)
  commenterIdentity?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TextLength(1, 50)
  industry?: string;

  @Field()
  @TextLength(1, 255)
  title!: string;

  @Field()
  @TextLength(1, 5000)
  body!: string;

  @Field(() => String, {
    nullable: true,
    description: "A key the client makes up once per comment (a UUID): retrying with it returns the stored comment instead of a second one.",
  })
  @IsOptional()
  @TextLength(8, 100)
  idempotencyKey?: string;
}

@ObjectType({ description: "The comment after the mutation." })
class FeedbackPayload {
  @Field(() => Feedback)
  feedback!: Feedback;
}

@InputType({ description: "Names one comment: its agency (the shard) and id." })
class FeedbackRefInput {
  @Field(() => ID, { description: "The agency that owns the comment: the shard the mutation goes to." })
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a feedback")
  feedbackId!: string;
}

@InputType()
class SubmitReplyForApprovalInput extends FeedbackRefInput {}

@InputType()
class ApproveReplyInput extends FeedbackRefInput {}

@InputType()
class CloseFeedbackInput extends FeedbackRefInput {}

@InputType()
class DraftReplyInput extends FeedbackRefInput {
  @Field()
  @TextLength(1, 5000)
  body!: string;
}

@InputType()
class ReturnReplyInput extends FeedbackRefInput {
  @Field({ description: "What the staff should change." })
  @TextLength(1, 1000)
  reason!: string;
}

@InputType({ description: "A citizen writes again on an answered comment; the email must be the one the comment was submitted with." })
class FollowUpInput extends FeedbackRefInput {
  @Field()
  @IsEmail({}, { message: "must be an email address" })
  email!: string;

  @Field()
  @TextLength(1, 5000)
  body!: string;
}

/** The agency reply being worked on: the latest one not yet published. */
async function currentDraft(em: EntityManager, feedback: Feedback): Promise<Reply | null> {
  return em.findOne(Reply, { feedback, author: ReplyAuthor.AGENCY, publishedAt: null }, { orderBy: { createdAt: "desc" } });
}

/**
 * Takes one workflow action in one transaction: locks the comment, checks
 * the transition (workflow.ts), applies its effect, records who did it and
 * why, and appends the event. A refused action changes nothing.
 */
async function act(
  { em, viewer }: FeedbackContext,
  input: FeedbackRefInput,
  action: WorkflowAction,
  effect: (tx: EntityManager, feedback: Feedback, now: Date) => Promise<void> | void,
  options: { reason?: string; isCommenter?: (feedback: Feedback) => boolean } = {},
): Promise<FeedbackPayload> {
  return em.transactional(async (tx) => {
    const feedback = await tx.findOne(Feedback, { id: input.feedbackId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!feedback) throw notFound(`Feedback ${input.feedbackId} of ${input.agencyCode}`);
    const check = transition(action, feedback.state, {
      viewer,
      owner: feedback.agencyCode,
      isCommenter: options.isCommenter?.(feedback),
      reason: options.reason,
    });
    if (!check.ok) throw govError(check.code, check.reason);
    const now = new Date();
    const from = feedback.state;
    await effect(tx, feedback, now);
    feedback.state = check.to;
    recordStep(tx, feedback, { action, fromState: from, toState: check.to, viewer, reason: options.reason, at: now });
    appendAgencyEvent(tx, EVENT_OF[action], feedback.id, { ...commentFacts(feedback), action, from, to: check.to, actorRole: viewer.role });
    return { feedback };
  });
}


@Resolver(() => FeedbackAgency)
export class FeedbackAgencyResolver {
  @FieldResolver(() => FeedbackStats, {
    nullable: true,
    description: "Reply performance of this agency, now; null (with a SHARD_UNAVAILABLE error) when its shard cannot answer.",
  })
  feedbackStats(@Root() agency: FeedbackAgency, @Ctx() { loaders, instance }: FeedbackContext): Promise<FeedbackStats> {
    assertOwnShard(instance, agency.code, "code");
    return loaders.stats.load(agency.code);
  }
}

@Resolver(() => Feedback)
export class FeedbackResolver {
  @Query(() => Feedback, { nullable: true })
  @ShardBy("agencyCode")
  feedback(
    @Arg("agencyCode", () => ID) _agencyCode: string,
    @EntityIdArg("id", "a feedback") id: string,
    @Ctx() { loaders }: FeedbackContext,
  ): Promise<Feedback | null> {
    return loaders.feedback.load(id);
  }

  @Query(() => FeedbackStats, { description: "Reply performance summed over every agency, or those named." })
  @Directive('@shardFanOut(merge: "AGGREGATE", subset: "agencyCodes")')
  async feedbackStats(
    @Arg("agencyCodes", () => [ID], { nullable: true }) agencyCodes: string[] | undefined,
    @Ctx() { loaders, instance }: FeedbackContext,
  ): Promise<FeedbackStats> {
    if (!isRequested(instance, agencyCodes)) return noFeedbackStats();
    return loaders.stats.load(instance.agencyCode!);
  }

  @FieldResolver(() => String, { nullable: true, description: "Shown to the owning agency and the ministry only." })
  email(@Root() feedback: Feedback, @Ctx() { viewer }: FeedbackContext): string | null {
    return insiders(viewer, feedback.agencyCode) ? feedback.email : null;
  }

  @FieldResolver(() => CalendarDate, {
    description: "The last day (Asia/Taipei) to publish an approved reply, inclusive: the deadline as people read it. `replyDueAt` is the instant this day ends.",
  })
  lastReplyDay(@Root() feedback: Feedback, @Ctx() { settings }: FeedbackContext): string {
    return lastReplyDayOf(feedback.replyDueAt, settings.deadline);
  }

  @FieldResolver(() => DeadlineState)
  deadlineState(@Root() feedback: Feedback, @Ctx() { settings }: FeedbackContext): DeadlineState {
    return deadlineState(feedback, new Date(), settings.deadline);
  }

  @FieldResolver(() => DatasetReference, { nullable: true })
  dataset(@Root() feedback: Feedback): DatasetReference | null {
    return feedback.datasetId ? { agencyCode: feedback.agencyCode, id: feedback.datasetId } : null;
  }

  @FieldResolver(() => [Reply], { description: "The thread: agency replies once published (all of them for the owning agency), and citizens' follow-ups." })
  async replies(@Root() feedback: Feedback, @Ctx() { loaders, viewer }: FeedbackContext): Promise<Reply[]> {
    const replies = await loaders.repliesOfFeedback.load(feedback.id);
    return insiders(viewer, feedback.agencyCode) ? replies : replies.filter((reply) => reply.publishedAt);
  }

  @FieldResolver(() => [FeedbackTransition], {
    nullable: true,
    description: "Every workflow step; for the owning agency and the ministry (null with FORBIDDEN for others, the rest of the answer intact).",
  })
  async transitions(@Root() feedback: Feedback, @Ctx() { loaders, viewer }: FeedbackContext): Promise<FeedbackTransition[]> {
    if (!insiders(viewer, feedback.agencyCode)) throw forbidden("Only the owning agency and the ministry see a comment's workflow history.");
    return loaders.transitionsOfFeedback.load(feedback.id);
  }

  @Mutation(() => FeedbackPayload, { description: "Staff of the owning agency draft (or revise) the reply." })
  @ShardBy("input.agencyCode")
  draftReply(@Arg("input") input: DraftReplyInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(context, input, FeedbackAction.DRAFT_REPLY, async (tx, feedback, now) => {
      const draft = await currentDraft(tx, feedback);
      if (draft) tx.assign(draft, { body: input.body, draftedBy: context.viewer.sub, createdAt: now });
      else tx.persist(tx.create(Reply, { feedback, author: ReplyAuthor.AGENCY, body: input.body, draftedBy: context.viewer.sub, createdAt: now }));
    });
  }

  @Mutation(() => FeedbackPayload, { description: "Staff submit the drafted reply to their CIO." })
  @ShardBy("input.agencyCode")
  submitReplyForApproval(@Arg("input") input: SubmitReplyForApprovalInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(context, input, FeedbackAction.SUBMIT_REPLY_FOR_APPROVAL, () => undefined);
  }

  @Mutation(() => FeedbackPayload, { description: "The owning agency's CIO approves the reply: it is published, and the deadline is met." })
  @ShardBy("input.agencyCode")
  approveReply(@Arg("input") input: ApproveReplyInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(context, input, FeedbackAction.APPROVE_REPLY, async (tx, feedback, now) => {
      const draft = await currentDraft(tx, feedback);
      if (!draft) throw govError(ErrorCode.CONFLICT, "There is no drafted reply to approve.");
      tx.assign(draft, { approvedBy: context.viewer.sub, publishedAt: now });
      feedback.answeredAt ??= now;
    });
  }

  @Mutation(() => FeedbackPayload, { description: "The owning agency's CIO sends the reply back to staff, saying why." })
  @ShardBy("input.agencyCode")
  returnReply(@Arg("input") input: ReturnReplyInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(context, input, FeedbackAction.RETURN_REPLY, () => undefined, { reason: input.reason });
  }

  @Mutation(() => FeedbackPayload, { description: "The citizen who wrote the comment writes again; the thread reopens with a new deadline." })
  @ShardBy("input.agencyCode")
  followUp(@Arg("input") input: FollowUpInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(
      context,
      input,
      FeedbackAction.FOLLOW_UP,
      async (tx, feedback, now) => {
        tx.persist(tx.create(Reply, { feedback, author: ReplyAuthor.CITIZEN, body: input.body, createdAt: now, publishedAt: now }));
        tx.assign(feedback, { replyDueAt: replyDueAt(now, context.settings.deadline), answeredAt: null });
        await scheduleReminders(tx, feedback.id, feedback.replyDueAt, context.settings.deadline);
      },
      { isCommenter: (feedback) => feedback.email.toLowerCase() === input.email.toLowerCase() },
    );
  }

  @Mutation(() => FeedbackPayload, { description: "The owning agency closes an answered comment." })
  @ShardBy("input.agencyCode")
  closeFeedback(@Arg("input") input: CloseFeedbackInput, @Ctx() context: FeedbackContext): Promise<FeedbackPayload> {
    return act(context, input, FeedbackAction.CLOSE, () => undefined);
  }

  @Mutation(() => FeedbackPayload, { description: "Anyone submits a comment; it is acknowledged only once stored." })
  @ShardBy("input.agencyCode")
  async submitFeedback(@Arg("input") input: SubmitFeedbackInput, @Ctx() { em, viewer, settings }: FeedbackContext): Promise<FeedbackPayload> {
    const retried = () => (input.idempotencyKey ? em.fork().findOne(Feedback, { idempotencyKey: input.idempotencyKey }) : null);
    const earlier = await retried();
    if (earlier) return { feedback: sameSubmission(earlier, input) };
    try {
      return { feedback: await storeSubmission(em, input, viewer, settings) };
    } catch (error) {
      // Two tries with one key at the same moment: the second finds the first's comment.
      const stored = error instanceof UniqueConstraintViolationException ? await retried() : null;
      if (stored) return { feedback: sameSubmission(stored, input) };
      throw error;
    }
  }
}

/** A key reused for a different comment is a client error, not a retry. */
function sameSubmission(stored: Feedback, input: SubmitFeedbackInput): Feedback {
  if (stored.title !== input.title || stored.body !== input.body || stored.email !== input.email) {
    throw govError(ErrorCode.CONFLICT, "This idempotency key was already used for a different comment: make a new key for a new comment.", {
      fields: [{ path: "input.idempotencyKey", reason: "already used for a different comment" }],
    });
  }
  return stored;
}

export const FeedbackEventResolver = EventSubscription({
  field: "feedbackEvents",
  typeName: "FeedbackEvent",
  typeDescription: "A step of a public comment's life: received, reply drafted, submitted, approved or returned, followed up, closed.",
});
