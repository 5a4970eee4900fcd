import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/postgresql";
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { LifecycleState } from "../kit/datasets";
import { newId } from "../kit/ids";
import { CalendarDate } from "../kit/scalars";

/** An agency of the ministry: the directory every other subgraph refers to by code. */
@ObjectType({ description: "The ministry or one of its subordinate agencies; each runs its own shard of the agency subgraphs." })
@Directive('@key(fields: "code")')
@Entity({ tableName: "agency" })
export class Agency {
  @Field(() => ID, { description: "GovGraph's short code, e.g. MOJ; the shard key of every agency subgraph." })
  @PrimaryKey({ type: "text" })
  code!: string;

  @Field({ description: "Official name, e.g. 法務部矯正署." })
  @Property({ type: "text" })
  name!: string;

  @Field()
  @Property({ type: "text" })
  nameEn!: string;

  @Field({ description: "Identifier in the government OID registry, kept exactly as registered." })
  @Property({ type: "text", unique: true })
  oid!: string;

  /** Directory order: the ministry first, then agencies by OID. */
  @Property({ type: "integer" })
  position!: number;
}

/**
 * A catalogue dataset as the ministry sees it: the directory's facts about it (publisherOid), and its entry in
 * the ministry-wide index (dataset-index.ts), fed by its shard's events. The listing fields are shareable with
 * the catalogue, so a page of the index needs no call to the shards for them; any other field of a Dataset
 * is resolved on its owning shard by federation.
 */
@ObjectType("Dataset")
@Directive('@key(fields: "agencyCode id")')
@Entity({ tableName: "dataset_index" })
export class IndexedDataset {
  @Field(() => ID)
  @PrimaryKey({ type: "text" })
  agencyCode!: string;

  @Field(() => ID)
  @PrimaryKey({ type: "text" })
  id!: string;

  @Directive("@shareable")
  @Field()
  @Property({ type: "text" })
  identifier!: string;

  @Directive("@shareable")
  @Field()
  @Property({ type: "text" })
  title!: string;

  @Directive("@shareable")
  @Field()
  @Property({ type: "text" })
  description!: string;

  @Directive("@shareable")
  @Field()
  @Property({ type: "text" })
  category!: string;

  @Directive("@shareable")
  @Field(() => [String])
  @Property({ type: "json" })
  keywords!: string[];

  /** Formats of its resources, in capitals (the format filter). */
  @Property({ type: "json" })
  formats!: string[];

  @Directive("@shareable")
  @Field(() => CalendarDate)
  @Property({ type: "string", columnType: "date" })
  issued!: string;

  @Directive("@shareable")
  @Field(() => Date)
  @Property({ type: "datetime" })
  modified!: Date;

  @Directive("@shareable")
  @Field(() => LifecycleState)
  @Enum({ items: () => LifecycleState, type: "text" })
  lifecycleState!: LifecycleState;

  @Property({ type: "string", columnType: "date", nullable: true })
  retiredOn!: string | null;

  /** The badge of the latest quality check, null before the first (the badge filter). */
  @Property({ type: "text", nullable: true })
  badge!: string | null;
}

/** The four strategies of the ministry's open-data action strategy. */
export enum Strategy {
  EXPAND_OPEN_DATA = 1,
  IMPROVE_QUALITY = 2,
  COLLABORATE = 3,
  EVALUATE = 4,
}
registerEnumType(Strategy, { name: "Strategy", description: "The four strategies of the open-data action strategy." });

export enum Indicator {
  DATASETS_OPENED = "DATASETS_OPENED",
  DATASETS_ON_PLATFORM = "DATASETS_ON_PLATFORM",
  INVENTORY_OPENED = "INVENTORY_OPENED",
  REPLIES_WITHIN_DEADLINE_PERCENT = "REPLIES_WITHIN_DEADLINE_PERCENT",
  STRUCTURED_RESOURCES_PASSING_PERCENT = "STRUCTURED_RESOURCES_PASSING_PERCENT",
  COMMENTS_OVERDUE = "COMMENTS_OVERDUE",
  CIVIL_PANEL_MEMBERS = "CIVIL_PANEL_MEMBERS",
  PANEL_MEETINGS = "PANEL_MEETINGS",
}
registerEnumType(Indicator, { name: "Indicator", description: "What a target measures." });

/** A performance target of one agency for one strategy, indicator and year. */
@ObjectType({ description: "A performance target (績效目標) of one agency for one year." })
@Entity({ tableName: "target" })
@Unique({ properties: ["agencyCode", "indicator", "year"] })
export class Target {
  [OptionalProps]?: "updatedAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field()
  @Property({ type: "text" })
  agencyCode!: string;

  @Field(() => Strategy)
  @Enum({ items: () => Strategy, type: "integer" })
  strategy!: Strategy;

  @Field(() => Indicator)
  @Enum({ items: () => Indicator, type: "text" })
  indicator!: Indicator;

  @Field(() => Int, { description: "AD year; ROC year = AD − 1911." })
  @Property({ type: "integer" })
  year!: number;

  @Field(() => Float)
  @Property({ type: "double" })
  value!: number;

  @Field(() => Date)
  @Property({ type: "datetime" })
  updatedAt: Date = new Date();
}

/** One change of a target: who made it, when, and the value before (null when the target was first set) and after. */
@ObjectType({ description: "A change of a performance target." })
@Entity({ tableName: "target_change" })
export class TargetChange {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  targetId!: string;

  @Field(() => Float, { nullable: true, description: "null when this change first set the target." })
  @Property({ type: "double", nullable: true })
  oldValue?: number | null;

  @Field(() => Float)
  @Property({ type: "double" })
  newValue!: number;

  @Field({ description: "The token subject of the MINISTRY_ADMIN who made the change." })
  @Property({ type: "text" })
  changedBy!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  changedAt!: Date;
}
