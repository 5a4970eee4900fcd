import type { EntityManager } from "@mikro-orm/postgresql";
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Ctx, Field, FieldResolver, InputType, Int, ObjectType, registerEnumType, Resolver, Root } from "type-graphql";
import { PageInfo, MAX_PAGE_SIZE } from "../../kit/connection";
import type { CatalogueContext } from "../context";
import { Resource } from "../entities";
import { Datastore } from "./entities";
import { countRequest } from "./usage";
import { FilterOperator, positional, rowEdges, rowPageStatements } from "./query";

registerEnumType(FilterOperator, { name: "RowFilterOperator", description: "CONTAINS matches text anywhere in the value, ignoring case." });

enum RowDirection {
  ASC = "asc",
  DESC = "desc",
}
registerEnumType(RowDirection, { name: "RowDirection" });

@InputType()
class RowFilterInput {
  @Field({ description: "A column name as in the file." })
  column!: string;

  @Field(() => FilterOperator)
  operator!: FilterOperator;

  @Field({ description: "Compared as the column's type (an INTEGER column takes 42, a DATE column 2018-03-16)." })
  value!: string;
}

@InputType()
class RowOrderInput {
  @Field()
  column!: string;

  @Field(() => RowDirection, { defaultValue: RowDirection.ASC })
  direction!: RowDirection;
}

@ObjectType()
class RowEdgeType {
  @Field()
  cursor!: string;

  @Field(() => GraphQLJSONObject, { description: "The row, under the file's column names." })
  node!: Record<string, unknown>;
}

@ObjectType()
class RowConnection {
  /** Counts every match: a statement of its own, run only when totalCount is asked for. */
  countMatches!: () => Promise<number>;

  @Field(() => Int, { description: "Rows matching the filters. Counted only when asked for: on a large resource it reads every match, where a page reads one index range." })
  totalCount(): Promise<number> {
    return this.countMatches();
  }

  @Field(() => [RowEdgeType])
  edges!: RowEdgeType[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@Resolver(() => Resource)
export class ResourceDatastoreResolver {
  @FieldResolver(() => Datastore, { nullable: true, description: "The resource loaded as an API: state, detected encoding, inferred column types; null when not loaded (only CSV and JSON are)." })
  datastore(@Root() resource: Resource, @Ctx() { em }: CatalogueContext): Promise<Datastore | null> {
    return em.findOne(Datastore, { resourceId: resource.id });
  }

  @FieldResolver(() => RowConnection, { nullable: true, description: "The resource's rows, filtered, ordered and paged by keyset; null until loaded." })
  async rows(
    @Root() resource: Resource,
    @Arg("filter", () => [RowFilterInput], { defaultValue: [] }) filter: RowFilterInput[],
    @Arg("orderBy", () => RowOrderInput, { nullable: true }) orderBy: RowOrderInput | undefined,
    @Arg("first", () => Int, { defaultValue: 20, description: `At most ${MAX_PAGE_SIZE}.` }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() { em }: CatalogueContext,
  ): Promise<RowConnection | null> {
    // While a file is loaded again, or after a reload failed, the rows of the last complete load are served.
    const datastore = await em.findOne(Datastore, { resourceId: resource.id, loadedAt: { $ne: null } });
    if (!datastore) return null;
    return rowPage(em, datastore, filter, orderBy, Math.max(0, Math.min(first, MAX_PAGE_SIZE)), after);
  }
}

export async function rowPage(em: EntityManager, datastore: Datastore, filters: RowFilterInput[], orderBy: RowOrderInput | undefined, first: number, after?: string): Promise<RowConnection> {
  const { page, count, order } = rowPageStatements(datastore.resourceId, datastore.columns, { filters, orderBy, first, after });
  const connection = em.getConnection();
  const [pageSql, countSql] = [positional(page), positional(count)];
  const rows = await connection.execute<Record<string, string | number | null>[]>(pageSql.text, pageSql.values);
  await countRequest(em, datastore);
  const edges = rowEdges(datastore.columns, rows.slice(0, first), order, orderBy?.column);
  let counting: Promise<number> | undefined;
  return Object.assign(new RowConnection(), {
    // Once, however many times (aliases) totalCount is selected.
    countMatches: () => (counting ??= connection.execute<{ count: number }[]>(countSql.text, countSql.values).then(([{ count }]) => count)),
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  });
}
