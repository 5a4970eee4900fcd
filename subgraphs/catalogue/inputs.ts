/**
 * The input of a dataset per the national metadata standard, shared by the
 * registerDataset mutation and the import of the platform's dataset list,
 * so both refuse the same values for the same reasons. Vocabulary fields
 * accept every common spelling (domain.ts); writeDataset stores the
 * platform's.
 */
import { ArrayMaxSize, IsIn, IsOptional, Matches, ValidateBy, ValidateNested } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { CalendarDate } from "../kit/scalars";
import { EntityId, IsWebUrl, TextLength } from "../kit/validation";
import { SERVICE_CATEGORIES } from "../../contract/service-categories";
import { canonicalEncoding, canonicalPeriodicity } from "./domain";
import { DatasetType } from "./entities";

/** The value is one that `canonical` recognises in some spelling. */
function Recognised(name: string, canonical: (text: string) => string | null, message: string) {
  return ValidateBy({ name, validator: { validate: (value) => typeof value === "string" && canonical(value) !== null, defaultMessage: () => message } });
}

@InputType()
export class ResourceFieldInput {
  @Field()
  @TextLength(1, 200)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TextLength(1, 1000)
  description?: string;
}

@InputType()
export class ResourceInput {
  @Field()
  @TextLength(1, 1000)
  description!: string;

  @Field()
  @TextLength(1, 20)
  format!: string;

  @Field({ defaultValue: "UTF-8", description: "UTF-8 or BIG-5, in any common spelling (UTF8, utf-8, Big5, BIG5…); stored as UTF-8 or BIG-5." })
  @Recognised("characterSet", canonicalEncoding, "must be UTF-8 or BIG-5 (any common spelling: UTF8, utf-8, Big5, BIG5, CP950…)")
  encoding!: string;

  @Field()
  @IsWebUrl()
  downloadUrl!: string;

  @Field(() => String, { nullable: true, description: "資料量, as declared." })
  @IsOptional()
  @TextLength(1, 100)
  size?: string;

  @Field(() => [ResourceFieldInput], { nullable: true, description: "The file's columns: name and description." })
  @IsOptional()
  @ValidateNested({ each: true })
  @ArrayMaxSize(500)
  fields?: ResourceFieldInput[];

  @Field(() => Date, { nullable: true })
  modified?: Date;
}

@InputType({ description: "A dataset published by an agency, with its resources." })
export class RegisterDatasetInput {
  @Field(() => ID, { description: "The owning agency: the shard the dataset is written to." })
  agencyCode!: string;

  @Field({ description: "National dataset identifier, kept exactly as given." })
  @TextLength(1, 64)
  identifier!: string;

  @Field()
  @TextLength(1, 255)
  title!: string;

  @Field()
  @TextLength(1, 10000)
  description!: string;

  @Field()
  @IsIn(SERVICE_CATEGORIES, { message: "must be one of the 18 service categories (服務分類)" })
  category!: string;

  @Field(() => DatasetType, { defaultValue: DatasetType.RAW_DATA })
  type!: DatasetType;

  @Field({ description: "每<number><年|月|週|日|時|分> or 不定期更新." })
  @Recognised("accrualPeriodicity", canonicalPeriodicity, "must be a number and a unit (每1年, 每3分, 每月, 每季…) or 不定期更新")
  accrualPeriodicity!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Publication day (上架日期): today or earlier, from 1912-01-01 (ROC year 1); today in Asia/Taipei when omitted." })
  issued?: string;

  @Field(() => Date, { nullable: true, description: "When the metadata last changed (詮釋資料更新時間); now when omitted." })
  modified?: Date;

  @Field(() => String, { nullable: true, description: "資料提供屬性." })
  @IsOptional()
  @TextLength(1, 100)
  providerAttribute?: string;

  @Field(() => String, { nullable: true, description: "品質檢測 as published by the national platform." })
  @IsOptional()
  @TextLength(1, 50)
  qualityBadge?: string;

  @Field(() => String, { nullable: true, description: "資料集上架方式." })
  @IsOptional()
  @TextLength(1, 100)
  listingMethod?: string;

  @Field(() => String, { nullable: true, description: "主要欄位說明." })
  @IsOptional()
  @TextLength(1, 10000)
  fieldDescription?: string;

  @Field(() => String, { nullable: true, description: "提供機關 (name as published)." })
  @IsOptional()
  @TextLength(1, 200)
  organization?: string;

  @Field(() => String, { nullable: true, description: "授權方式; the government open data licence v1 when omitted." })
  @IsOptional()
  @TextLength(1, 200)
  license?: string;

  @Field(() => String, { nullable: true, description: "相關網址." })
  @IsOptional()
  @TextLength(1, 2000)
  @IsWebUrl()
  landingPage?: string;

  @Field(() => String, { nullable: true, description: "計費方式, e.g. 免費." })
  @IsOptional()
  @TextLength(1, 200)
  cost?: string;

  @Field(() => String, { nullable: true, description: "提供機關聯絡人姓名." })
  @IsOptional()
  @TextLength(1, 100)
  contactName?: string;

  @Field(() => String, { nullable: true, description: "提供機關聯絡人電話." })
  @IsOptional()
  @TextLength(1, 100)
  contactPhone?: string;

  @Field(() => String, { nullable: true, description: "備註." })
  @IsOptional()
  @TextLength(1, 10000)
  notes?: string;

  @Field(() => String, { nullable: true, description: "costURL, when a fee is charged." })
  @IsOptional()
  @IsWebUrl()
  costUrl?: string;

  @Field(() => String, { nullable: true, description: "costLaw: the legal basis of a fee." })
  @IsOptional()
  @TextLength(1, 500)
  costLaw?: string;

  @Field(() => CalendarDate, { nullable: true })
  temporalCoverageFrom?: string;

  @Field(() => CalendarDate, { nullable: true })
  temporalCoverageTo?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TextLength(1, 200)
  spatial?: string;

  @Field(() => String, { nullable: true, description: "e.g. zh-TW." })
  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: "must be a language tag, e.g. zh-TW" })
  language?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @TextLength(1, 50, { each: true })
  keywords?: string[];

  @Field(() => [ResourceInput], { defaultValue: [] })
  @ValidateNested({ each: true })
  @ArrayMaxSize(50)
  resources!: ResourceInput[];
}

@InputType({ description: "Takes a published dataset off the platform, keeping it with the day and the reason (退場)." })
export class RetireDatasetInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a dataset")
  datasetId!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Today or earlier; default: today in Asia/Taipei." })
  retiredOn?: string;

  @Field({ description: "Why, e.g. 資料已不再產製." })
  @TextLength(1, 1000)
  reason!: string;

  @Field(() => String, { nullable: true, description: "The identifier of the dataset it was merged into, if any." })
  @IsOptional()
  @TextLength(1, 64)
  mergedInto?: string;
}
