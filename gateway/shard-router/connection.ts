/**
 * The CONNECTION merge strategy: keyset pagination across shards.
 *
 * Each shard answers its own page of the connection, in the requested order,
 * after its own position. The gateway k-way merges those pages by sort key
 * (decoded from each shard edge's cursor; ties between shards broken by
 * directory order of their agencies so the order is total), keeps the first `first` items, and
 * gives each edge a gateway cursor recording every shard's position after
 * that edge. Asked for the next page, each shard is sent only its own
 * position, so it returns only what follows it: an item is never skipped or
 * repeated, however unequal the shards, and rows added between pages appear
 * only if they sort after the positions already passed.
 *
 * totalCount is the sum of the shards' totals; hasNextPage is exact: true
 * when a fetched item was left over or a shard said it has more.
 */
import { compareAgencyCodes } from "../../contract/agencies";
import { compareSortKeys, decodeCursor, type SortKey } from "../../contract/cursor";
import { badUserInput } from "../../contract/errors";
import type { Json } from "./merge";

/** Each shard's position: the cursor of the last item taken from it, null before its first. */
export type Positions = Record<string, string | null>;

/**
 * A gateway cursor lists each shard's position as `<agency>.<its cursor>`, joined by `~` (an empty position: before
 * the shard's first item). Shards' cursors are base64url or digits, so they go in as they are: encoded once more,
 * every cursor was a third longer, and so was every page's answer (a page holds one cursor per edge).
 */
const SHARD_CURSOR = /^[A-Za-z0-9_-]+$/;
const POSITION = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

export function encodeGatewayCursor(positions: Positions): string {
  let cursor = "";
  for (const [code, position] of Object.entries(positions)) {
    // A shard's cursor holding a separator would be read back as other shards' positions.
    if (position !== null && !SHARD_CURSOR.test(position)) throw new Error(`The shard of ${code} issued a cursor that is not base64url: ${JSON.stringify(position.slice(0, 40))}`);
    cursor += `${cursor ? "~" : ""}${code}.${position ?? ""}`;
  }
  return cursor;
}

export function decodeGatewayCursor(cursor: string): Positions {
  const positions: [string, string | null][] = [];
  for (const part of cursor.split("~")) {
    const position = POSITION.exec(part);
    if (!position) return decodeEarlierGatewayCursor(cursor);
    positions.push([position[1], position[2] || null]);
  }
  // Own properties, whatever the codes a client writes (Object.fromEntries never sets a prototype).
  return Object.fromEntries(positions);
}

/** A cursor issued before this format, base64url of JSON: subscribers keep their last event's cursor across restarts, and resume with it. */
function decodeEarlierGatewayCursor(cursor: string): Positions {
  try {
    const raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { shards?: unknown };
    if (raw.shards && typeof raw.shards === "object" && !Array.isArray(raw.shards)) {
      const entries = Object.entries(raw.shards as Record<string, unknown>);
      if (entries.every(([, value]) => value === null || typeof value === "string")) return Object.fromEntries(entries) as Positions;
    }
  } catch {
    // reported below
  }
  throw badUserInput([{ path: "after", reason: "is not a cursor this list issued" }]);
}

export interface ShardPage {
  agencyCode: string;
  /** How many edges the shard sent. */
  size: number;
  /** The sort key of the shard's edge at `index`, in the shard's order. */
  keyAt(index: number): SortKey;
  /** The shard said more items follow its page. */
  hasMore: boolean;
}

export interface MergedPage {
  /** The items kept, in merged order: which shard, which of its edges. */
  taken: { agencyCode: string; index: number }[];
  hasNextPage: boolean;
}

/** K-way merge of sorted shard pages; keeps the first `first` items. Only the heads it compares have their keys read. */
export function mergePages(pages: readonly ShardPage[], first: number): MergedPage {
  const next = pages.map(() => 0);
  const taken: MergedPage["taken"] = [];
  while (taken.length < first) {
    let best = -1;
    pages.forEach((page, i) => {
      if (next[i] >= page.size) return;
      if (best < 0) {
        best = i;
        return;
      }
      const order = compareSortKeys(page.keyAt(next[i]), pages[best].keyAt(next[best])) || compareAgencyCodes(page.agencyCode, pages[best].agencyCode);
      if (order < 0) best = i;
    });
    if (best < 0) break;
    taken.push({ agencyCode: pages[best].agencyCode, index: next[best] });
    next[best] += 1;
  }
  const hasNextPage = pages.some((page, i) => next[i] < page.size || page.hasMore);
  return { taken, hasNextPage };
}

/**
 * A shard's page whose edges' cursors are decoded when the merge first compares them: of nine shards' pages of
 * twenty, a page of twenty compares about twenty-nine heads, and a page from one shard none.
 */
function shardPage(agencyCode: string, cursors: readonly string[], hasMore: boolean): ShardPage {
  const keys: SortKey[] = [];
  return { agencyCode, size: cursors.length, hasMore, keyAt: (index) => (keys[index] ??= decodeCursor(cursors[index])) };
}

/** Where the client's selection of a connection puts each part of the answer (response keys). */
export interface ConnectionShape {
  /** The connection's response keys in the client's order, which the merged answer keeps (as the engine's execution would). */
  order: string[];
  totalCount: string[];
  edges: { key: string; cursor: string[] }[];
  pageInfo: { key: string; order: string[]; hasNextPage: string[]; endCursor: string[]; typename: string[] }[];
  typename: string[];
  /** Where each shard's part holds its edges' cursors, the merge's sort keys: `edges { cursor }` as the client or the router (SHARD_FIELDS.keys) asked for them. */
  keysAt: { edges: string; cursor: string };
  /** Where each shard's part says whether more follow: `pageInfo { hasNextPage }` as the client or the router (SHARD_FIELDS.more) asked for it. */
  moreAt: { pageInfo: string; hasNextPage: string };
}

/** The aliases the router adds to a shard's selection for what the merge needs and the client did not ask for (plan.ts). */
export const SHARD_FIELDS = { keys: "__shard_keys", more: "__shard_more", cursor: "__shard_cursor", type: "__shard_type" } as const;

type JsonObject = { [key: string]: Json };

/**
 * Builds the client's connection from the shards' answers. `parts` holds the
 * shards that answered, each with its connection object (including the
 * SHARD_FIELDS the router added); `positions` are the positions the page started from.
 */
export function mergeConnection(parts: readonly { agencyCode: string; value: JsonObject }[], first: number, positions: Positions, shape: ConnectionShape): JsonObject {
  const { keysAt, moreAt } = shape;
  const pages = parts.map(({ agencyCode, value }) =>
    shardPage(
      agencyCode,
      ((value[keysAt.edges] as JsonObject[] | null) ?? []).map((edge) => String(edge[keysAt.cursor])),
      Boolean((value[moreAt.pageInfo] as JsonObject | null)?.[moreAt.hasNextPage]),
    ),
  );
  const { taken, hasNextPage } = mergePages(pages, first);
  const byCode = new Map(parts.map((part) => [part.agencyCode, part.value]));
  const current: Positions = { ...positions };
  const cursors = taken.map(({ agencyCode, index }) => {
    const edge = (byCode.get(agencyCode)![keysAt.edges] as JsonObject[])[index];
    current[agencyCode] = String(edge[keysAt.cursor]);
    return encodeGatewayCursor(current);
  });
  const startCursor = Object.values(positions).some((position) => position !== null) ? encodeGatewayCursor(positions) : null;
  const endCursor = cursors.at(-1) ?? startCursor;
  // Each shard counted under the client's own key (the first, if it asked for several): the shards count only when asked.
  const [totalKey] = shape.totalCount;
  const total = totalKey === undefined ? 0 : parts.reduce((sum, part) => sum + Number(part.value[totalKey] ?? 0), 0);

  const result: JsonObject = {};
  for (const key of shape.typename) result[key] = (parts[0]?.value[key] as Json) ?? null;
  for (const key of shape.totalCount) result[key] = total;
  for (const { key, cursor } of shape.edges) {
    result[key] = taken.map(({ agencyCode, index }, i) => {
      const edge = { ...((byCode.get(agencyCode)![key] as JsonObject[])[index] ?? {}) };
      for (const cursorKey of cursor) edge[cursorKey] = cursors[i];
      return edge;
    });
  }
  for (const { key, order, hasNextPage: more, endCursor: end, typename } of shape.pageInfo) {
    const pageInfo: JsonObject = {};
    for (const k of typename) pageInfo[k] = "PageInfo";
    for (const k of more) pageInfo[k] = hasNextPage;
    for (const k of end) pageInfo[k] = endCursor;
    result[key] = inOrder(pageInfo, order);
  }
  return inOrder(result, shape.order);
}

/** `values` with its keys in `order`: an answer's fields come in the order the client selected them. */
function inOrder(values: JsonObject, order: readonly string[]): JsonObject {
  const ordered: JsonObject = {};
  for (const key of order) if (key in values) ordered[key] = values[key];
  return ordered;
}
