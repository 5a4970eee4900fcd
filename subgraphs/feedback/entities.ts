import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from "@mikro-orm/postgresql";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { newId } from "../kit/ids";
import { DeadlineState } from "./deadline";
import { FeedbackAction, FeedbackState } from "./workflow";

registerEnumType(FeedbackState, { name: "FeedbackState", description: "Where a comment is in the reply workflow." });
registerEnumType(FeedbackAction, { name: "FeedbackAction" });
registerEnumType(DeadlineState, { name: "DeadlineState", description: "Where a comment stands against its 14-day reply deadline." });

export enum ReplyAuthor {
  /** 機關回復 */
  AGENCY = "AGENCY",
  /** 民眾回復 */
  CITIZEN = "CITIZEN",
}
registerEnumType(ReplyAuthor, { name: "ReplyAuthor", description: "機關回復 (AGENCY) or 民眾回復 (CITIZEN)." });

/** A public comment (意見回饋) on an agency's data, answered within the deadline. */
@ObjectType({ description: "A public comment on an agency's open data (意見回饋)." })
@Directive('@key(fields: "agencyCode id")')
@Directive('@shardKey(field: "agencyCode")')
@Entity({ tableName: "feedback" })
export class Feedback {
  [OptionalProps]?: "receivedAt" | "state";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => ID, { description: "The agency that must answer (the shard key)." })
  @Property({ type: "text" })
  agencyCode!: string;

  /** The catalogue dataset the comment concerns, on the same agency's catalogue shard. */
  @Property({ type: "uuid", nullable: true })
  datasetId?: string;

  /** Never shown to other citizens: see FeedbackResolver.email. */
  @Property({ type: "text" })
  email!: string;

  @Field({ description: "Comment type, e.g. 資源資料編碼錯誤." })
  @Property({ type: "text" })
  commentType!: string;

  @Field(() => String, { nullable: true, description: "Who the commenter is (身份別)." })
  @Property({ type: "text", nullable: true })
  commenterIdentity?: string;

  @Field(() => String, { nullable: true })
  @Property({ type: "text", nullable: true })
  industry?: string;

  @Field()
  @Property({ type: "text" })
  title!: string;

  @Field()
  @Property({ type: "text" })
  body!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  receivedAt: Date = new Date();

  @Field(() => Date, {
    description:
      "The deadline as an instant, exclusive: an approved reply must be published before it. It is the start (00:00 Asia/Taipei) of the day after `lastReplyDay`: show `lastReplyDay` to people, compare with `replyDueAt`.",
  })
  @Property({ type: "datetime" })
  replyDueAt!: Date;

  @Field(() => FeedbackState)
  @Enum({ items: () => FeedbackState, type: "text" })
  state: FeedbackState = FeedbackState.RECEIVED;

  @Field(() => Date, { nullable: true, description: "When the CIO-approved reply that answers the open question was published." })
  @Property({ type: "datetime", nullable: true })
  answeredAt?: Date;

  /** The client's key for this submission: a retried submission with the same key is stored once. */
  @Property({ type: "text", nullable: true, unique: true })
  idempotencyKey?: string;
}

/** One message of a comment's thread: an agency reply (drafted, approved, published) or a citizen's follow-up. */
@ObjectType({ description: "A message in a comment's thread. Agency replies are visible to the public only once published." })
@Entity({ tableName: "reply" })
export class Reply {
  [OptionalProps]?: "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @ManyToOne(() => Feedback, { deleteRule: "cascade" })
  feedback!: Rel<Feedback>;

  @Field(() => ReplyAuthor)
  @Enum({ items: () => ReplyAuthor, type: "text" })
  author!: ReplyAuthor;

  @Field()
  @Property({ type: "text" })
  body!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  /** The staff member who drafted an agency reply. */
  @Property({ type: "text", nullable: true })
  draftedBy?: string;

  /** The CIO who approved it. */
  @Property({ type: "text", nullable: true })
  approvedBy?: string;

  @Field(() => Date, { nullable: true, description: "When it became public; null while a draft." })
  @Property({ type: "datetime", nullable: true })
  publishedAt?: Date;
}

/** Every transition of a comment, from its receipt on: who took which action, when and why. */
@ObjectType({ description: "A step of the reply workflow: who did what, when, and why." })
@Entity({ tableName: "feedback_transition" })
export class FeedbackTransition {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @ManyToOne(() => Feedback, { deleteRule: "cascade" })
  feedback!: Rel<Feedback>;

  @Field(() => FeedbackAction)
  @Enum({ items: () => FeedbackAction, type: "text" })
  action!: FeedbackAction;

  @Field(() => FeedbackState, { nullable: true, description: "The state before the step; null for the receipt, the first step of every comment." })
  @Enum({ items: () => FeedbackState, type: "text", nullable: true })
  fromState!: FeedbackState | null;

  @Field(() => FeedbackState)
  @Enum({ items: () => FeedbackState, type: "text" })
  toState!: FeedbackState;

  @Field({ description: "The subject of the actor's token." })
  @Property({ type: "text" })
  actor!: string;

  @Field()
  @Property({ type: "text" })
  actorRole!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: "text", nullable: true })
  reason?: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  at!: Date;
}

@ObjectType({ description: "Reply performance; every field is additive across agencies." })
export class FeedbackStats {
  @Field(() => Int)
  received!: number;

  @Field(() => Int, { description: "With a published, CIO-approved reply." })
  answered!: number;

  @Field(() => Int, { description: "Answered within the deadline." })
  answeredOnTime!: number;

  @Field(() => Int, { description: "Unanswered past the deadline, now." })
  overdue!: number;

  @Field(() => [Int], {
    description:
      "Answered comments by whole days from receipt to the approved reply: index d counts d days, the last index that many or more. Additive, so the median over several agencies is exact: the first day where the running count reaches half of `answered`.",
  })
  daysToReplyHistogram!: number[];
}
