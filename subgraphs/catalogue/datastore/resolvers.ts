import { LockMode, type EntityManager } from "@mikro-orm/postgresql";
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Ctx, Field, FieldResolver, InputType, Int, ObjectType, registerEnumType, Resolver, Root } from "type-graphql";
import type { Logger } from "../../../contract/logger";
import { PageInfo, MAX_PAGE_SIZE } from "../../kit/connection";
import type { CatalogueContext } from "../context";
import { Resource } from "../entities";
import type { ScanSettings } from "../deidentification/gate";
import { InventoryItem, inventoryRank } from "../inventory";
import { structuredFormat } from "../structured/read";
import { Datastore, DatastoreState } from "./entities";
import { loadResourceFile } from "./load";
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
  @Field(() => Int)
  totalCount!: number;

  @Field(() => [RowEdgeType])
  edges!: RowEdgeType[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

/**
 * (Re)loads a resource's file into its datastore, recording the state as it
 * goes; a failure is kept as the datastore's error, never thrown.
 */
export async function loadDatastore(em: EntityManager, resource: { id: string; datasetId: string; downloadUrl: string; format: string }, settings: ScanSettings, log: Logger): Promise<Datastore> {
  const fork = em.fork();
  const datastore = (await fork.findOne(Datastore, { resourceId: resource.id })) ?? fork.create(Datastore, { resourceId: resource.id, datasetId: resource.datasetId, state: DatastoreState.LOADING });
  fork.assign(datastore, { state: DatastoreState.LOADING, error: null });
  await fork.persistAndFlush(datastore);
  try {
    const loaded = await loadResourceFile(fork, resource, settings);
    fork.assign(datastore, { state: DatastoreState.LOADED, encoding: loaded.encoding, columns: loaded.columns, rows: loaded.rows, loadedAt: new Date() });
  } catch (error) {
    log.warn({ err: error, resourceId: resource.id }, "datastore load failed");
    fork.assign(datastore, { state: DatastoreState.FAILED, error: error instanceof Error ? error.message : String(error) });
  }
  await fork.flush();
  return datastore;
}

/** Starts loading the CSV and JSON resources of a just-published dataset, in the background. */
export function loadPublishedResources(em: EntityManager, resources: readonly Resource[], datasetId: string, settings: ScanSettings, log: Logger): void {
  void (async () => {
    for (const resource of resources) {
      const format = structuredFormat(resource.format);
      if (format === "CSV" || format === "JSON") await loadDatastore(em, { id: resource.id, datasetId, downloadUrl: resource.downloadUrl, format: resource.format }, settings, log);
    }
  })();
}

/** A page or a download served counts as a use of the dataset: the datastore's and its inventory item's (public demand). */
export async function countRequest(em: EntityManager, datastore: Datastore): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.getConnection().execute("update datastore set requests = requests + 1 where resource_id = ?", [datastore.resourceId]);
    const item = await tx.findOne(InventoryItem, { datasetId: datastore.datasetId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (item) {
      item.downloads += 1;
      tx.assign(item, inventoryRank(item));
    }
  });
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
    const datastore = await em.findOne(Datastore, { resourceId: resource.id, state: DatastoreState.LOADED });
    if (!datastore) return null;
    return rowPage(em, datastore, filter, orderBy, Math.max(0, Math.min(first, MAX_PAGE_SIZE)), after);
  }
}

export async function rowPage(em: EntityManager, datastore: Datastore, filters: RowFilterInput[], orderBy: RowOrderInput | undefined, first: number, after?: string): Promise<RowConnection> {
  const { page, count, order } = rowPageStatements(datastore.resourceId, datastore.columns, { filters, orderBy, first, after });
  const connection = em.getConnection();
  const [pageSql, countSql] = [positional(page), positional(count)];
  const [rows, [{ count: totalCount }]] = await Promise.all([
    connection.execute<Record<string, string | number | null>[]>(pageSql.text, pageSql.values),
    connection.execute<{ count: number }[]>(countSql.text, countSql.values),
  ]);
  await countRequest(em, datastore);
  const edges = rowEdges(datastore.columns, rows.slice(0, first), order, orderBy?.column);
  return { totalCount, edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
