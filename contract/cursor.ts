/**
 * Cursors of keyset pagination: the position of a row in a named sort order.
 * Shards issue them; the gateway decodes shards' cursors to merge their pages
 * (gateway/shard-router/connection.ts), so the format and the comparison live
 * here, shared by both, with no dependency on the schema or the ORM.
 */
import { badUserInput } from "./errors";

export type Direction = "asc" | "desc";
export type KeyValue = string | number;

/**
 * A named sort order (the enum value clients pass) over entity properties.
 * The last key must be unique, so the order is total and a cursor names one
 * position exactly.
 */
export interface SortOrder<T> {
  name: string;
  keys: { property: keyof T & string; direction: Direction }[];
}

/** The position of one row in one order; a cursor is its encoding. */
export interface SortKey {
  order: string;
  values: KeyValue[];
  directions: Direction[];
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify({ o: key.order, v: key.values, d: key.directions }), "utf8").toString("base64url");
}

/** Reads a cursor issued for `order`; anything else is BAD_USER_INPUT at `argument`. */
export function decodeCursor(cursor: string, order?: string, argument = "after"): SortKey {
  let key: SortKey | undefined;
  try {
    const raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { o?: unknown; v?: unknown; d?: unknown };
    if (typeof raw.o === "string" && Array.isArray(raw.v) && Array.isArray(raw.d) && raw.v.length === raw.d.length) {
      key = { order: raw.o, values: raw.v as KeyValue[], directions: raw.d as Direction[] };
    }
  } catch {
    // reported below
  }
  if (!key) throw badUserInput([{ path: argument, reason: "is not a cursor this list issued" }]);
  if (order !== undefined && key.order !== order) {
    throw badUserInput([{ path: argument, reason: `was issued for order ${key.order}, not ${order}` }]);
  }
  return key;
}

/**
 * Strings compare byte-wise in UTF-8, as PostgreSQL's "C" collation orders the key columns: that is code point
 * order, which JavaScript's `<` (UTF-16 code units) breaks only between a surrogate pair and a character above
 * U+DFFF. So the first unit that differs is compared as a code point, without encoding either string.
 */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

function compareValues(a: KeyValue, b: KeyValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareUtf8(String(a), String(b));
}

/** Compares two positions of the same order: negative when `a` comes first. */
export function compareSortKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.values.length; i++) {
    const difference = compareValues(a.values[i], b.values[i]);
    if (difference !== 0) return a.directions[i] === "desc" ? -difference : difference;
  }
  return 0;
}
