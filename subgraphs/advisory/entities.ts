import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, type Rel } from "@mikro-orm/postgresql";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { newId } from "../kit/ids";
import { CalendarDate } from "../kit/scalars";
import { PanelRole, PanelRule, TermStatus } from "./composition";
import { ResolutionStatus } from "./meetings";

registerEnumType(PanelRole, { name: "PanelRole" });
registerEnumType(TermStatus, { name: "PanelTermStatus", description: "DRAFT (may be incomplete) → ACTIVE (meets the composition rule) → ENDED." });
registerEnumType(PanelRule, { name: "PanelRule", description: "The rules a panel term must meet; a refusal names the ones broken." });
registerEnumType(ResolutionStatus, { name: "ResolutionStatus" });

export enum AgendaItemKind {
  REVIEW = "REVIEW",
  CONSULTATION = "CONSULTATION",
  STRATEGY = "STRATEGY",
  REPORT = "REPORT",
  OTHER = "OTHER",
}
registerEnumType(AgendaItemKind, {
  name: "AgendaItemKind",
  description: "Review of agencies' inventories and demand answers (strategy 4), consultation on sensitive data (strategy 3), the action strategy, the report to the Executive Yuan, other business.",
});

/** What an agenda item may point at, each owned by a shard (or, for agencies, the directory). */
export enum AgendaSubjectKind {
  DATASET = "DATASET",
  INVENTORY_ITEM = "INVENTORY_ITEM",
  FEEDBACK = "FEEDBACK",
  DATASET_REQUEST = "DATASET_REQUEST",
  AGENCY = "AGENCY",
}
registerEnumType(AgendaSubjectKind, { name: "AgendaSubjectKind" });

export enum ReviewOutcome {
  SATISFACTORY = "SATISFACTORY",
  IMPROVEMENT_REQUESTED = "IMPROVEMENT_REQUESTED",
  UNSATISFACTORY = "UNSATISFACTORY",
}
registerEnumType(ReviewOutcome, { name: "ReviewOutcome" });

/** One term of the open-data advisory panel (資料開放諮詢小組). */
@ObjectType({ description: "A term of the open-data advisory panel (資料開放諮詢小組)." })
@Entity({ tableName: "panel_term" })
export class PanelTerm {
  [OptionalProps]?: "status";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field({ description: "e.g. 第1屆." })
  @Property({ type: "text" })
  name!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  startsOn!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  endsOn!: string;

  @Field(() => TermStatus)
  @Enum({ items: () => TermStatus, type: "text" })
  status: TermStatus = TermStatus.DRAFT;
}

@ObjectType({ description: "A member of the panel in one term." })
@Entity({ tableName: "panel_member" })
export class PanelMember {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @ManyToOne(() => PanelTerm)
  term!: Rel<PanelTerm>;

  @Field()
  @Property({ type: "text" })
  name!: string;

  @Field(() => PanelRole)
  @Enum({ items: () => PanelRole, type: "text" })
  role!: PanelRole;

  @Field(() => String, { nullable: true, description: "The agency an agency representative represents (see `agency`)." })
  @Property({ type: "text", nullable: true })
  agencyCode?: string;

  @Field({ description: "Title and organisation, e.g. 法務部政務次長 or a university." })
  @Property({ type: "text" })
  affiliation!: string;

  @Field(() => String, { nullable: true, description: "A civil-society representative's organisation." })
  @Property({ type: "text", nullable: true })
  organisation?: string;

  @Field(() => String, { nullable: true, description: "A civil-society representative's field of expertise." })
  @Property({ type: "text", nullable: true })
  expertise?: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  appointedOn!: string;

  @Field(() => CalendarDate, { nullable: true, description: "The day the member left the panel (resigned or replaced)." })
  @Property({ type: "string", columnType: "date", nullable: true })
  leftOn?: string;
}

@ObjectType({ description: "A meeting of the panel." })
@Directive('@key(fields: "id")')
@Entity({ tableName: "panel_meeting" })
export class PanelMeeting {
  [OptionalProps]?: "minutesPublished";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  termId!: string;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  heldOn!: string;

  @Field()
  @Property({ type: "text" })
  title!: string;

  @Property({ type: "text", nullable: true })
  minutes?: string;

  @Field()
  @Property({ type: "boolean" })
  minutesPublished: boolean = false;
}

@Entity({ tableName: "panel_attendance" })
export class PanelAttendance {
  @PrimaryKey({ type: "uuid" })
  meetingId!: string;

  @PrimaryKey({ type: "uuid" })
  memberId!: string;
}

@ObjectType({ description: "An item on a meeting's agenda, with the entities it concerns (resolved from their owning shards)." })
@Entity({ tableName: "agenda_item" })
export class AgendaItem {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  meetingId!: string;

  @Field(() => Int)
  @Property({ type: "integer" })
  position!: number;

  @Field()
  @Property({ type: "text" })
  title!: string;

  @Field(() => AgendaItemKind)
  @Enum({ items: () => AgendaItemKind, type: "text" })
  kind!: AgendaItemKind;
}

/** One entity an agenda item concerns, by key: the owning agency and, except for an agency itself, the entity's id. */
@Entity({ tableName: "agenda_subject" })
export class AgendaSubject {
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  agendaItemId!: string;

  @Enum({ items: () => AgendaSubjectKind, type: "text" })
  kind!: AgendaSubjectKind;

  @Property({ type: "text" })
  agencyCode!: string;

  @Property({ type: "text", nullable: true })
  entityId?: string;
}

@ObjectType({ description: "A resolution adopted at a meeting, owned by an agency, with a due day and a status followed up at later meetings." })
@Directive('@key(fields: "id")')
@Entity({ tableName: "panel_resolution" })
export class PanelResolution {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  meetingId!: string;

  @Property({ type: "uuid", nullable: true })
  agendaItemId?: string;

  @Field()
  @Property({ type: "text" })
  text!: string;

  @Property({ type: "text", nullable: true })
  ownerAgencyCode?: string;

  @Field(() => CalendarDate, { nullable: true })
  @Property({ type: "string", columnType: "date", nullable: true })
  dueOn?: string;

  @Field(() => CalendarDate, { nullable: true })
  @Property({ type: "string", columnType: "date", nullable: true })
  doneOn?: string;

  /** For a consultation (strategy 3): the inventory item whose openness decision this resolution is the basis of. */
  @Property({ type: "text", nullable: true })
  consultedAgencyCode?: string;

  @Property({ type: "uuid", nullable: true })
  consultedItemId?: string;
}

@ObjectType({ description: "The panel's review of one agency at one meeting (strategy 4): its outcome and what is requested of the agency." })
@Entity({ tableName: "agency_review" })
export class AgencyReview {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  meetingId!: string;

  @Field(() => ID)
  @Property({ type: "text" })
  agencyCode!: string;

  @Field(() => ReviewOutcome)
  @Enum({ items: () => ReviewOutcome, type: "text" })
  outcome!: ReviewOutcome;

  @Field({ description: "What the panel requests of the agency." })
  @Property({ type: "text" })
  requests!: string;
}

@ObjectType({ description: "A panel member's remark on a review." })
@Entity({ tableName: "review_remark" })
export class ReviewRemark {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  reviewId!: string;

  @Field({ description: "The token subject of who remarked." })
  @Property({ type: "text" })
  author!: string;

  @Field()
  @Property({ type: "text" })
  text!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  at!: Date;
}

@ObjectType({ description: "A performance target of a strategy version." })
export class StrategyTarget {
  @Field(() => Int, { description: "The strategy, 1–4." })
  strategy!: number;

  @Field({ description: "The goal, e.g. every public comment answered within 14 days." })
  goal!: string;
}

@ObjectType({ description: "A version of the open-data action strategy (行動策略) and the meeting that approved it." })
@Entity({ tableName: "strategy_version" })
export class StrategyVersion {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => Int)
  @Property({ type: "integer" })
  version!: number;

  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  approvedOn!: string;

  @Property({ type: "uuid" })
  meetingId!: string;

  @Field()
  @Property({ type: "text" })
  summary!: string;

  @Field(() => [StrategyTarget])
  @Property({ type: "json" })
  targets!: StrategyTarget[];
}

@ObjectType({ description: "A report of results to the Executive Yuan (報院備查) after a meeting." })
@Entity({ tableName: "executive_yuan_report" })
export class ExecutiveYuanReport {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  meetingId!: string;

  @Field(() => Int, { description: "The year whose results it reports." })
  @Property({ type: "integer" })
  year!: number;

  @Field(() => CalendarDate, { nullable: true, description: "The day it was sent; null while it is not." })
  @Property({ type: "string", columnType: "date", nullable: true })
  sentOn?: string;

  @Field()
  @Property({ type: "text" })
  summary!: string;
}
