import { Entity, Enum, PrimaryKey, Property } from "@mikro-orm/postgresql";
import { Field, ID, ObjectType } from "type-graphql";
import { newId } from "../../kit/ids";
import { BadgeLevelEnum, type BadgeLevel } from "../../kit/vocabulary";
import type { Indicators } from "./indicators";

@ObjectType({ description: "The seven indicators; null where a check could not judge one." })
export class QualityIndicators implements Indicators {
  @Field(() => Boolean, { nullable: true, description: "連結有效性: the link answers." })
  linkValidity!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "資料可直接下載: the file itself, not a web page." })
  directDownload!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "結構化檔案類型." })
  structuredFormat!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "編碼描述與資料相符." })
  encodingMatch!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "欄位描述與資料相符." })
  fieldsMatch!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "更新時效性, against the declared frequency." })
  timeliness!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "回復效率: the agency's public comments answered within the deadline." })
  replyEfficiency!: boolean | null;
}

/** One check of one resource: what was observed (history is kept). */
@ObjectType({ description: "One quality check of one resource." })
@Entity({ tableName: "resource_check" })
export class ResourceCheck {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  resourceId!: string;

  @Property({ type: "uuid" })
  datasetId!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  checkedAt!: Date;

  @Field(() => QualityIndicators)
  @Property({ type: "json" })
  indicators!: Indicators;

  @Field(() => String, { nullable: true, description: "HTTP status, final URL after redirects, or why the file could not be read." })
  @Property({ type: "text", nullable: true })
  detail?: string;
}

/** The result of one check of a dataset: its resources' intersection and the badge it earns. */
@ObjectType({ description: "The quality check result of a dataset (資料集品質檢測)." })
@Entity({ tableName: "dataset_check" })
export class DatasetCheck {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  datasetId!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  checkedAt!: Date;

  @Field(() => BadgeLevelEnum)
  @Enum({ items: () => BadgeLevelEnum, type: "text" })
  level!: BadgeLevel;

  @Field(() => QualityIndicators)
  @Property({ type: "json" })
  indicators!: Indicators;
}
