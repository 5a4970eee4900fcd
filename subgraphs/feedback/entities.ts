import { Entity, Enum, OptionalProps, PrimaryKey, Property } from "@mikro-orm/postgresql";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { newId } from "../kit/ids";
import { DeadlineState } from "./deadline";

export enum FeedbackStatus {
  /** Received; no reply published yet. */
  RECEIVED = "RECEIVED",
  /** A CIO-approved reply is published. */
  ANSWERED = "ANSWERED",
  CLOSED = "CLOSED",
}
registerEnumType(FeedbackStatus, { name: "FeedbackStatus" });
registerEnumType(DeadlineState, { name: "DeadlineState", description: "Where a comment stands against its 14-day reply deadline." });

/** A public comment (意見回饋) on an agency's data, answered within the deadline. */
@ObjectType({ description: "A public comment on an agency's open data (意見回饋)." })
@Directive('@key(fields: "agencyCode id")')
@Directive('@shardKey(field: "agencyCode")')
@Entity({ tableName: "feedback" })
export class Feedback {
  [OptionalProps]?: "receivedAt" | "status";

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

  @Field(() => Date, { description: "The end of the last day to publish an approved reply." })
  @Property({ type: "datetime" })
  replyDueAt!: Date;

  @Field(() => FeedbackStatus)
  @Enum({ items: () => FeedbackStatus, type: "text" })
  status: FeedbackStatus = FeedbackStatus.RECEIVED;

  @Field(() => Date, { nullable: true, description: "When the CIO-approved reply was published." })
  @Property({ type: "datetime", nullable: true })
  answeredAt?: Date;
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
}
