import { Entity, PrimaryKey, Property } from "@mikro-orm/postgresql";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { newId } from "../../kit/ids";
import { PersonalDataKind } from "./rules";
import type { ColumnFinding } from "./scan";

registerEnumType(PersonalDataKind, {
  name: "PersonalDataKind",
  description: "Personal data the de-identification scan recognises (national ID and resident certificate numbers by their check digit).",
});

@ObjectType({ description: "Personal data of one kind found in one column of a file: how many values, a few of them masked." })
export class PersonalDataFinding implements ColumnFinding {
  @Field({ description: "The column: CSV header, JSON property, XML element or @attribute." })
  column!: string;

  @Field(() => PersonalDataKind)
  kind!: PersonalDataKind;

  @Field(() => Int)
  count!: number;

  @Field(() => [String], { description: "Up to three values, masked (A1******89)." })
  samples!: string[];

  @Field({ description: "Whether the agency's CIO has exempted this column and kind for this file, with a reason." })
  exempted!: boolean;
}

/** One scan of one resource's file (on publishing and on every quality check); the history is kept. */
@ObjectType({ description: "A de-identification scan of a resource's file." })
@Entity({ tableName: "personal_data_scan" })
export class PersonalDataScan {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Property({ type: "uuid" })
  resourceId!: string;

  @Property({ type: "uuid" })
  datasetId!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  scannedAt!: Date;

  @Field(() => String, { nullable: true, description: "The encoding the file was read in (UTF-8 or BIG-5); null when it could not be read." })
  @Property({ type: "text", nullable: true })
  encoding?: string | null;

  @Field(() => Float, { nullable: true, description: "Bytes read." })
  @Property({ type: "double", nullable: true })
  bytes?: number | null;

  @Field(() => [PersonalDataFinding])
  @Property({ type: "json" })
  findings: PersonalDataFinding[] = [];

  @Field(() => String, { nullable: true, description: "Why the file could not be scanned (unreachable, not the declared format…)." })
  @Property({ type: "text", nullable: true })
  error?: string | null;
}

@ObjectType({ description: "A column and kind of personal data exempted." })
export class ExemptedColumn {
  @Field()
  column!: string;

  @Field(() => PersonalDataKind)
  kind!: PersonalDataKind;
}

/** The agency CIO's decision that a file may be published with the personal data found in it (e.g. an agency's own service phone). */
@ObjectType({ description: "A CIO's exemption: a file may be published with the personal data listed, for the reason given." })
@Entity({ tableName: "personal_data_exemption" })
export class PersonalDataExemption {
  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => ID)
  @Property({ type: "text" })
  agencyCode!: string;

  @Field({ description: "The file exempted, by its download URL." })
  @Property({ type: "text" })
  downloadUrl!: string;

  @Field()
  @Property({ type: "text" })
  reason!: string;

  @Field(() => [ExemptedColumn], { description: "What was found in the file when the exemption was recorded; anything else found later still blocks." })
  @Property({ type: "json" })
  columns!: ExemptedColumn[];

  @Field({ description: "The CIO's subject." })
  @Property({ type: "text" })
  recordedBy!: string;

  @Field(() => Date)
  @Property({ type: "datetime" })
  recordedAt!: Date;
}
