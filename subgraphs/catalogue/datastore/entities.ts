import { Entity, OptionalProps, PrimaryKey, Property } from "@mikro-orm/postgresql";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { ColumnType, type DatastoreColumn } from "./load";

registerEnumType(ColumnType, { name: "DatastoreColumnType", description: "The type inferred from every value of a column: INTEGER, DECIMAL, DATE (YYYY-MM-DD), else TEXT." });

export enum DatastoreState {
  LOADING = "LOADING",
  LOADED = "LOADED",
  FAILED = "FAILED",
}
registerEnumType(DatastoreState, { name: "DatastoreState" });

@ObjectType("DatastoreColumn", { description: "A column of a loaded resource: its name in the file and its inferred type." })
export class DatastoreColumnType implements DatastoreColumn {
  @Field()
  name!: string;

  /** Its column in the table. */
  column!: string;

  @Field(() => ColumnType)
  type!: ColumnType;
}

/** A resource loaded (or being loaded) into the agency's database, served as an API. */
@ObjectType("Datastore", { description: "A structured resource loaded into the agency's database and served as an API (Resource.rows)." })
@Entity({ tableName: "datastore" })
export class Datastore {
  [OptionalProps]?: "columns" | "rows" | "requests";

  @PrimaryKey({ type: "uuid" })
  resourceId!: string;

  @Property({ type: "uuid" })
  datasetId!: string;

  @Field(() => DatastoreState)
  @Property({ type: "text" })
  state!: DatastoreState;

  @Field(() => String, { nullable: true, description: "UTF-8 or BIG-5, as detected." })
  @Property({ type: "text", nullable: true })
  encoding?: string | null;

  @Field(() => [DatastoreColumnType])
  @Property({ type: "json" })
  columns: DatastoreColumnType[] = [];

  @Field(() => Float, { description: "Rows loaded." })
  @Property({ type: "double" })
  rows: number = 0;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  loadedAt?: Date | null;

  @Field(() => String, { nullable: true, description: "The SHA-256 (hex) of the file loaded: when a quality check reads a file with another, the file is loaded again." })
  @Property({ type: "text", nullable: true })
  sha256?: string | null;

  @Field(() => String, { nullable: true, description: "Why the last load failed." })
  @Property({ type: "text", nullable: true })
  error?: string | null;

  @Field(() => Int, { description: "Pages and downloads served: the dataset's public demand." })
  @Property({ type: "integer" })
  requests: number = 0;
}
