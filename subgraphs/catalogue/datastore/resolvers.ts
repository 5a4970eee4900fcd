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

/** A structured resource as the datastore loads it. */
export interface LoadableResource {
  id: string;
  datasetId: string;
  downloadUrl: string;
  format: string;
}

const isLoadable = (resource: { format: string }) => ["CSV", "JSON"].includes(structuredFormat(resource.format) ?? "");

/**
 * (Re)loads a resource's file into its datastore, recording the state as it
 * goes; a failure is kept as the datastore's error, never thrown. Nothing
 * happens while another load of the resource runs.
 */
export async function loadDatastore(em: EntityManager, resource: LoadableResource, settings: ScanSettings, log: Logger): Promise<Datastore | null> {
  const fork = em.fork();
  const datastore = (await fork.findOne(Datastore, { resourceId: resource.id })) ?? fork.create(Datastore, { resourceId: resource.id, datasetId: resource.datasetId, state: DatastoreState.LOADING });
  try {
    const loaded = await loadResourceFile(fork, resource, settings, {
      async started() {
        fork.assign(datastore, { state: DatastoreState.LOADING, error: null });
        await fork.persistAndFlush(datastore);
      },
      async swapped(client, { encoding, columns, rows, sha256 }) {
        await client.query(
          "update datastore set state = $2, encoding = $3, columns = $4, rows = $5, sha256 = $6, loaded_at = now(), error = null where resource_id = $1",
          [resource.id, DatastoreState.LOADED, encoding, JSON.stringify(columns), rows, sha256],
        );
      },
    });
    if (!loaded) return null;
  } catch (error) {
    log.warn({ err: error, resourceId: resource.id }, "datastore load failed");
    fork.assign(datastore, { state: DatastoreState.FAILED, error: error instanceof Error ? error.message : String(error) });
    await fork.flush();
  }
  return fork.refresh(datastore);
}

/** Loads the CSV and JSON resources among these, one after another, in the background. */
export function loadInBackground(em: EntityManager, resources: readonly LoadableResource[], settings: ScanSettings, log: Logger): void {
  void (async () => {
    for (const resource of resources.filter(isLoadable)) await loadDatastore(em, resource, settings, log);
  })().catch((error: unknown) => log.warn({ err: error }, "datastore loads stopped (the shard is stopping?)"));
}

/** Starts loading the CSV and JSON resources of a just-published dataset, in the background. */
export function loadPublishedResources(em: EntityManager, resources: readonly Resource[], datasetId: string, settings: ScanSettings, log: Logger): void {
  loadInBackground(em, resources.map(({ id, downloadUrl, format }) => ({ id, datasetId, downloadUrl, format })), settings, log);
}

/**
 * After a quality check read the files again: loads, in the background, each
 * CSV or JSON resource whose file is not the one its datastore holds (another
 * SHA-256), or that has none yet (imported, or its first load failed).
 */
export async function reloadChangedResources(em: EntityManager, read: readonly { resource: LoadableResource; sha256: string | null }[], settings: ScanSettings, log: Logger): Promise<void> {
  const candidates = read.filter(({ resource, sha256 }) => sha256 !== null && isLoadable(resource));
  if (candidates.length === 0) return;
  const held = new Map((await em.fork().find(Datastore, { resourceId: { $in: candidates.map(({ resource }) => resource.id) } })).map((datastore) => [datastore.resourceId, datastore.sha256]));
  loadInBackground(em, candidates.filter(({ resource, sha256 }) => held.get(resource.id) !== sha256).map(({ resource }) => resource), settings, log);
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
