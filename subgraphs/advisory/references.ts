/**
 * Entities other subgraphs own, as the advisory subgraph refers to them: by
 * key only (resolvable: false), so the gateway fetches their fields from the
 * owning shard (catalogue, feedback) or subgraph (metrics) in the same request.
 */
import { Directive, Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("Dataset")
@Directive('@key(fields: "agencyCode id", resolvable: false)')
export class DatasetRef {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  id!: string;
}

@ObjectType("InventoryItem")
@Directive('@key(fields: "agencyCode id", resolvable: false)')
export class InventoryItemRef {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  id!: string;
}

@ObjectType("Feedback")
@Directive('@key(fields: "agencyCode id", resolvable: false)')
export class FeedbackRef {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  id!: string;
}

@ObjectType("DatasetRequest")
@Directive('@key(fields: "agencyCode id", resolvable: false)')
export class DatasetRequestRef {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  id!: string;
}

/** The metrics subgraph's evaluation of a year (issue 8's contract): the report's figures. */
@ObjectType("EvaluationReport")
@Directive('@key(fields: "year", resolvable: false)')
export class EvaluationReportRef {
  @Field(() => Int)
  year!: number;
}
