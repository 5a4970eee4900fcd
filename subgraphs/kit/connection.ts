/**
 * Relay cursor connections with keyset pagination: a cursor is the opaque
 * encoding of the sort key of the last row seen, so a page never skips or
 * repeats rows when others are inserted before it.
 */
import { ClassType, Field, Int, ObjectType } from "type-graphql";
import { badUserInput } from "./errors";

@ObjectType()
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
  totalCount: number;
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
    @Field(() => Int, { description: "All items that match, on every page." })
    totalCount!: number;

    @Field(() => [EdgeType])
    edges!: EdgeType[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, argument = "after"): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(key)) return key;
  } catch {
    // reported below
  }
  throw badUserInput([{ path: argument, reason: "is not a cursor this list issued" }]);
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput([{ path: "first", reason: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  }
}

/**
 * Builds a page from up to `first + 1` rows fetched in order: the extra row
 * only tells whether there is a next page.
 */
export function toConnection<T>(rows: T[], first: number, totalCount: number, keyOf: (row: T) => unknown[]): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    totalCount,
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
