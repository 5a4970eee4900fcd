import { IsEmail, IsOptional, IsUUID, Length } from "class-validator";
import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { Role, type Viewer } from "../kit/claims";
import { appendEvent } from "../kit/outbox";
import { assertOwnShard, isRequested } from "../kit/shard";
import { deadlineState, DeadlineState, replyDueAt } from "./deadline";
import { Feedback, FeedbackStats } from "./entities";
import type { FeedbackContext } from "./index";

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
  @IsUUID("all", { message: "must be a dataset id" })
  datasetId?: string;

  @Field()
  @IsEmail({}, { message: "must be an email address" })
  @Length(3, 254)
  email!: string;

  @Field({ description: "e.g. 資源資料編碼錯誤." })
  @Length(1, 50)
  commentType!: string;

  @Field(() => String, { nullable: true, description: "Who the commenter is (身份別)." })
  @IsOptional()
  @Length(1, 50)
  commenterIdentity?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 50)
  industry?: string;

  @Field()
  @Length(1, 255)
  title!: string;

  @Field()
  @Length(1, 5000)
  body!: string;
}

@ObjectType()
class SubmitFeedbackPayload {
  @Field(() => Feedback)
  feedback!: Feedback;
}

/** The owning agency's roles and the ministry see the commenter's email; other citizens never do. */
function maySeeContact(viewer: Viewer, agencyCode: string): boolean {
  return viewer.role === Role.MINISTRY_ADMIN || (viewer.agencyCode === agencyCode && viewer.role !== Role.PUBLIC);
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
  @Directive('@shardBy(argument: "agencyCode")')
  feedback(
    @Arg("agencyCode", () => ID) agencyCode: string,
    @Arg("id", () => ID) id: string,
    @Ctx() { loaders, instance }: FeedbackContext,
  ): Promise<Feedback | null> {
    assertOwnShard(instance, agencyCode);
    return loaders.feedback.load(id);
  }

  @Query(() => FeedbackStats, { description: "Reply performance summed over every agency, or those named." })
  @Directive('@shardFanOut(merge: "AGGREGATE", subset: "agencyCodes")')
  async feedbackStats(
    @Arg("agencyCodes", () => [ID], { nullable: true }) agencyCodes: string[] | undefined,
    @Ctx() { loaders, instance }: FeedbackContext,
  ): Promise<FeedbackStats> {
    if (!isRequested(instance, agencyCodes)) return { received: 0, answered: 0, answeredOnTime: 0, overdue: 0 };
    return loaders.stats.load(instance.agencyCode!);
  }

  @FieldResolver(() => String, { nullable: true, description: "Shown to the owning agency and the ministry only." })
  email(@Root() feedback: Feedback, @Ctx() { viewer }: FeedbackContext): string | null {
    return maySeeContact(viewer, feedback.agencyCode) ? feedback.email : null;
  }

  @FieldResolver(() => DeadlineState)
  deadlineState(@Root() feedback: Feedback): DeadlineState {
    return deadlineState(feedback, new Date());
  }

  @FieldResolver(() => DatasetReference, { nullable: true })
  dataset(@Root() feedback: Feedback): DatasetReference | null {
    return feedback.datasetId ? { agencyCode: feedback.agencyCode, id: feedback.datasetId } : null;
  }

  @Mutation(() => SubmitFeedbackPayload, { description: "Anyone submits a comment; it is acknowledged only once stored." })
  @Directive('@shardBy(argument: "input.agencyCode")')
  async submitFeedback(@Arg("input") input: SubmitFeedbackInput, @Ctx() { em, instance }: FeedbackContext): Promise<SubmitFeedbackPayload> {
    assertOwnShard(instance, input.agencyCode, "input.agencyCode");
    return em.transactional(async (tx) => {
      const receivedAt = new Date();
      const feedback = tx.create(Feedback, { ...input, receivedAt, replyDueAt: replyDueAt(receivedAt) });
      tx.persist(feedback);
      appendEvent(tx, "FeedbackReceived", feedback.id, {
        agencyCode: feedback.agencyCode,
        title: feedback.title,
        receivedAt: receivedAt.toISOString(),
        replyDueAt: feedback.replyDueAt.toISOString(),
      });
      return { feedback };
    });
  }
}

