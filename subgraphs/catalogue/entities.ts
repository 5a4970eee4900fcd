import { Collection, Entity, Enum, OptionalProps, ManyToOne, OneToMany, PrimaryKey, Property, type Rel } from "@mikro-orm/postgresql";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { LifecycleState } from "../kit/datasets";
import { newId } from "../kit/ids";

export { LifecycleState };
import { CalendarDate } from "../kit/scalars";

export enum DatasetType {
  RAW_DATA = "RAW_DATA",
  SERVICE = "SERVICE",
}
registerEnumType(DatasetType, { name: "DatasetType", description: "rawData (files) or service (an API), as the national platform says." });

export const DEFAULT_LICENSE = "政府資料開放授權條款-第1版";

@ObjectType({ description: "A declared column of a resource." })
export class ResourceField {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@ObjectType({ description: "A downloadable file or a web service of a dataset (distribution)." })
@Entity({ tableName: "resource" })
export class Resource {
  [OptionalProps]?: "fields";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @ManyToOne(() => Dataset, { deleteRule: "cascade" })
  dataset!: Rel<Dataset>;

  @Field({ description: "National resource id: the dataset identifier plus -001, -002…" })
  @Property({ type: "text" })
  resourceId!: string;

  @Field()
  @Property({ type: "text" })
  description!: string;

  @Field({ description: "File format as declared, e.g. CSV, JSON, XML." })
  @Property({ type: "text" })
  format!: string;

  @Field({ description: "Declared character encoding, e.g. UTF-8 or BIG-5." })
  @Property({ type: "text" })
  encoding!: string;

  @Field()
  @Property({ type: "text" })
  downloadUrl!: string;

  @Field(() => String, { nullable: true, description: "Size as declared (資料量), e.g. 1200 筆 or 3MB." })
  @Property({ type: "text", nullable: true })
  size?: string;

  @Field(() => [ResourceField], { description: "The columns of the file as declared: name and description." })
  @Property({ type: "json" })
  fields: ResourceField[] = [];

  @Field(() => Date, { nullable: true, description: "When the file last changed (resourceModified)." })
  @Property({ type: "datetime", nullable: true })
  modified?: Date;

  @Property({ type: "integer" })
  position!: number;
}

@ObjectType({ description: "An open dataset of an agency, per the national metadata standard (資料集詮釋資料標準規範)." })
@Directive('@key(fields: "agencyCode id")')
@Directive('@shardKey(field: "agencyCode")')
@Entity({ tableName: "dataset" })
export class Dataset {
  [OptionalProps]?: "type" | "license" | "modified" | "lifecycleState" | "keywords" | "nextQualityCheckAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => ID, { description: "The agency that owns the dataset (the shard key)." })
  @Property({ type: "text" })
  agencyCode!: string;

  @Directive("@shareable")
  @Field({ description: "National dataset identifier (資料集識別碼), kept exactly as given." })
  @Property({ type: "text", unique: true })
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
  @Field({ description: "Service category (服務分類), one of the national platform's 18." })
  @Property({ type: "text" })
  category!: string;

  @Field(() => DatasetType)
  @Enum({ items: () => DatasetType, type: "text" })
  type: DatasetType = DatasetType.RAW_DATA;

  @Field()
  @Property({ type: "text" })
  license: string = DEFAULT_LICENSE;

  @Field({ description: "Update frequency (更新頻率), e.g. 每1年 or 不定期更新." })
  @Property({ type: "text" })
  accrualPeriodicity!: string;

  @Directive("@shareable")
  @Field(() => CalendarDate, { description: "Day it was published on the platform (上架日期)." })
  @Property({ type: "string", columnType: "date" })
  issued!: string;

  @Directive("@shareable")
  @Field(() => Date, { description: "When its metadata last changed (詮釋資料更新時間)." })
  @Property({ type: "datetime" })
  modified: Date = new Date();

  @Field(() => String, { nullable: true, description: "資料提供屬性, as the national platform lists it." })
  @Property({ type: "text", nullable: true })
  providerAttribute?: string;

  @Field(() => String, { nullable: true, description: "The quality check result the national platform published (品質檢測), as given." })
  @Property({ type: "text", nullable: true })
  qualityBadge?: string;

  @Field(() => String, { nullable: true, description: "How the dataset is listed on the platform (資料集上架方式)." })
  @Property({ type: "text", nullable: true })
  listingMethod?: string;

  @Field(() => String, { nullable: true, description: "Main fields (主要欄位說明): `Name(說明);Name(說明)` or names separated by 、." })
  @Property({ type: "text", nullable: true })
  fieldDescription?: string;

  @Field(() => String, { nullable: true, description: "The providing agency's name as published (提供機關)." })
  @Property({ type: "text", nullable: true })
  organization?: string;

  @Field(() => String, { nullable: true, description: "相關網址." })
  @Property({ type: "text", nullable: true })
  landingPage?: string;

  @Field(() => String, { nullable: true, description: "計費方式: 免費, or the fee." })
  @Property({ type: "text", nullable: true })
  cost?: string;

  @Field(() => String, { nullable: true, description: "提供機關聯絡人姓名." })
  @Property({ type: "text", nullable: true })
  contactName?: string;

  @Field(() => String, { nullable: true, description: "提供機關聯絡人電話." })
  @Property({ type: "text", nullable: true })
  contactPhone?: string;

  @Field(() => String, { nullable: true, description: "備註." })
  @Property({ type: "text", nullable: true })
  notes?: string;

  @Field(() => String, { nullable: true, description: "When a fee is charged: where it is explained (costURL)." })
  @Property({ type: "text", nullable: true })
  costUrl?: string;

  @Field(() => String, { nullable: true, description: "When a fee is charged: its legal basis (costLaw)." })
  @Property({ type: "text", nullable: true })
  costLaw?: string;

  @Field(() => CalendarDate, { nullable: true, description: "First day the data covers (temporalCoverageFrom)." })
  @Property({ type: "string", columnType: "date", nullable: true })
  temporalCoverageFrom?: string;

  @Field(() => CalendarDate, { nullable: true, description: "Last day the data covers (temporalCoverageTo)." })
  @Property({ type: "string", columnType: "date", nullable: true })
  temporalCoverageTo?: string;

  @Field(() => String, { nullable: true, description: "Area the data covers (spatial), e.g. 臺灣." })
  @Property({ type: "text", nullable: true })
  spatial?: string;

  @Field(() => String, { nullable: true, description: "Language of the data, e.g. zh-TW." })
  @Property({ type: "text", nullable: true })
  language?: string;

  @Directive("@shareable")
  @Field(() => [String], { description: "Keywords (keyword[])." })
  @Property({ type: "json" })
  keywords: string[] = [];

  /** The badge of the latest quality check (null until checked), for filtering lists. */
  @Property({ type: "text", nullable: true })
  qualityLevel?: string;

  /** When the quality scheduler checks this dataset next. */
  @Property({ type: "datetime" })
  nextQualityCheckAt: Date = new Date();

  @Directive("@shareable")
  @Field(() => LifecycleState)
  @Enum({ items: () => LifecycleState, type: "text" })
  lifecycleState: LifecycleState = LifecycleState.PUBLISHED;

  @Field(() => CalendarDate, { nullable: true })
  @Property({ type: "string", columnType: "date", nullable: true })
  retiredOn?: string;

  @Field(() => String, { nullable: true, description: "Why it was retired, or the identifier of the dataset it was merged into." })
  @Property({ type: "text", nullable: true })
  retirementReason?: string;

  @OneToMany(() => Resource, (resource) => resource.dataset, { orderBy: { position: "asc" } })
  resources = new Collection<Resource>(this);
}

@ObjectType({ description: "Counts of one or more agencies' catalogues; every field is additive across agencies." })
export class CatalogueSummary {
  @Field(() => Int, { description: "Datasets ever published (current and retired)." })
  datasets!: number;

  @Field(() => Int, { description: "Datasets on the platform now." })
  published!: number;

  @Field(() => Int, { description: "Datasets retired or merged." })
  retired!: number;
}
