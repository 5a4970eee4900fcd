/**
 * Relay cursor connections with keyset pagination: a cursor is the opaque
 * encoding of the sort key of the last row seen (cursor.ts), so a page never
 * skips or repeats rows when others are inserted before it (an OFFSET would).
 */
import { ArgsType, ClassType, Directive, Field, ID, Int, ObjectType } from "type-graphql";
import type { EntityData, EntityKey, EntityManager, EntityName } from "@mikro-orm/postgresql";
import { decodeCursor, encodeCursor, type KeyValue, type SortKey, type SortOrder } from "../../contract/cursor";
import { badUserInput } from "../../contract/errors";
import { identifier, joinSql, selectRows, sql, type SqlFragment } from "./sql";

/** Shareable: every subgraph with a connection declares the same PageInfo. */
@ObjectType()
@Directive("@shareable")
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  /** Counts every item that matches, on every page: a statement of its own, run only when totalCount is asked for. */
  countMatches(): Promise<number>;
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(Node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    cursor!: string;

    @Field(() => Node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    countMatches!: () => Promise<number>;

    // Counted only when asked for: a count reads every match, where a page reads one index range.
    @Field(() => Int, { description: "All items that match, on every page." })
    totalCount(): Promise<number> {
      return this.countMatches();
    }

    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

export const MAX_PAGE_SIZE = 100;

/** A page of one agency's list, on its shard (agencyFeedback, agencyDatasetRequests): each list adds its own filters. */
@ArgsType()
export class AgencyPageArgs {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => Int, { defaultValue: 20, description: `At most ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;
}

export function emptyConnection<T>(): Connection<T> {
  return { countMatches: async () => 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput([{ path: "first", reason: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  }
}

function keyValue(value: unknown): KeyValue {
  if (value instanceof Date) return value.toISOString();
  return typeof value === "number" ? value : String(value);
}

export function sortKeyOf<T>(order: SortOrder<T>, row: T): SortKey {
  return {
    order: order.name,
    values: order.keys.map(({ property }) => keyValue(row[property])),
    directions: order.keys.map(({ direction }) => direction),
  };
}

/** Rows strictly after `after` in `order`: (k1 > v1) or (k1 = v1 and k2 > v2) or … (with < for descending keys). */
function afterPosition<T>(order: SortOrder<T>, after: SortKey, column: (property: string) => SqlFragment): SqlFragment {
  const alternatives = order.keys.map((key, i) =>
    joinSql(
      [
        ...order.keys.slice(0, i).map((earlier, j) => sql`${column(earlier.property)} = ${after.values[j]}`),
        sql`${column(key.property)} ${key.direction === "asc" ? sql`>` : sql`<`} ${after.values[i]}`,
      ],
      " and ",
    ),
  );
  return sql`(${joinSql(alternatives, " or ")})`;
}

/**
 * One page of a keyset connection: up to `first` rows of `entity`'s table
 * that match `where`, after the cursor, in `order`, and the count of rows
 * matching `where` if totalCount is asked for: one statement, or two,
 * whatever the page size. `where` is SQL over the table's columns (the table
 * is not aliased; its name qualifies a column in a subquery); it may not join
 * a to-many relation (a row per match would repeat the entity): such
 * conditions are `exists` subqueries.
 *
 * The statements are written here, not built by the ORM's query builder,
 * which cost more CPU to build a page's statement than to run it. The rows
 * are read, not managed: mapped to plain objects with the entity's property
 * names and types, which the ORM neither hydrates nor tracks (a page is never
 * written back). The key columns must compare like compareSortKeys (text
 * columns with collation "C").
 */
export async function keysetPage<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  where: SqlFragment,
  order: SortOrder<T>,
  first: number,
  after?: string | null,
): Promise<Connection<T>> {
  checkPageSize(first);
  const meta = em.getMetadata().find(entity)!;
  const table = identifier(meta.tableName);
  const column = (property: string) => identifier(meta.properties[property as EntityKey<T>].fieldNames[0]);
  const position = after ? sql` and ${afterPosition(order, decodeCursor(after, order.name), column)}` : sql``;
  const orderBy = joinSql(
    order.keys.map(({ property, direction }) => sql`${column(property)} ${direction === "asc" ? sql`asc` : sql`desc`}`),
    ", ",
  );
  const rows = await selectRows(em, sql`select * from ${table} where (${where})${position} order by ${orderBy} limit ${first + 1}`);
  const driver = em.getDriver();
  const nodes = rows.slice(0, first).map((row) => driver.mapResult(row as EntityData<T>, meta) as T);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(sortKeyOf(order, node)), node }));
  let counting: Promise<number> | undefined;
  return {
    // Once, however many times (aliases) totalCount is selected.
    countMatches: () =>
      (counting ??= selectRows<{ count: string }>(em, sql`select count(*) as count from ${table} where ${where}`).then(([{ count }]) => Number(count))),
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
