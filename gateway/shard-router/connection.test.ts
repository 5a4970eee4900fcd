/**
 * The CONNECTION strategy as plain functions: simulated shards answer pages
 * the way a shard does (keyset after its own position), the gateway merges.
 */
import { encodeCursor, type SortKey } from "../../contract/cursor";
import { seededRandom } from "../../subgraphs/kit/random";
import { decodeGatewayCursor, encodeGatewayCursor, mergeConnection, mergePages, SHARD_FIELDS, type ConnectionShape, type Positions } from "./connection";

interface Item {
  agencyCode: string;
  issued: string;
  identifier: string;
}

const ORDER = "PUBLISHED_DESC";
const keyOf = (item: Item): SortKey => ({ order: ORDER, values: [item.issued, item.identifier], directions: ["desc", "asc"] });
const expectedOrder = (a: Item, b: Item) => (a.issued !== b.issued ? (a.issued < b.issued ? 1 : -1) : a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : a.agencyCode < b.agencyCode ? -1 : 1);

function makeShards(sizes: number[], random: () => number): Map<string, Item[]> {
  const shards = new Map<string, Item[]>();
  sizes.forEach((size, s) => {
    const code = `A${s}`;
    const items = Array.from({ length: size }, (_, i) => ({
      agencyCode: code,
      // Few distinct days: many ties on the first key, across and within shards.
      issued: `2015-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 3)}`,
      identifier: `${code}-${String(i).padStart(5, "0")}`,
    }));
    shards.set(code, items.sort(expectedOrder));
  });
  return shards;
}

const cursorIndex = new WeakMap<Item[], Map<string, number>>();

/** What a shard answers: its page after its own cursor, with the fields the router adds. */
function shardPage(items: Item[], first: number, after: string | null) {
  if (!cursorIndex.has(items)) cursorIndex.set(items, new Map(items.map((item, i) => [encodeCursor(keyOf(item)), i])));
  const start = after === null ? 0 : cursorIndex.get(items)!.get(after)! + 1;
  const page = items.slice(start, start + first);
  const edges = page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node: { identifier: node.identifier, agencyCode: node.agencyCode } }));
  return {
    totalCount: items.length,
    edges,
    [SHARD_FIELDS.keys]: edges.map((edge) => ({ cursor: edge.cursor })),
    [SHARD_FIELDS.more]: { hasNextPage: start + first < items.length },
  };
}

const shape: ConnectionShape = {
  order: ["totalCount", "edges", "pageInfo"],
  totalCount: ["totalCount"],
  typename: [],
  edges: [{ key: "edges", cursor: ["cursor"] }],
  pageInfo: [{ key: "pageInfo", order: ["hasNextPage", "endCursor"], hasNextPage: ["hasNextPage"], endCursor: ["endCursor"], typename: [] }],
  keysAt: { edges: SHARD_FIELDS.keys, cursor: "cursor" },
  moreAt: { pageInfo: SHARD_FIELDS.more, hasNextPage: "hasNextPage" },
};

type Merged = { totalCount: number; edges: { cursor: string; node: { identifier: string; agencyCode: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

function walk(shards: Map<string, Item[]>, random: () => number): Merged["edges"] {
  const seen: Merged["edges"] = [];
  let after: string | null = null;
  for (let page = 0; page < 100_000; page++) {
    const first = 1 + Math.floor(random() * 100);
    const positions: Positions = after ? decodeGatewayCursor(after) : Object.fromEntries([...shards.keys()].map((code) => [code, null]));
    const parts = [...shards].map(([agencyCode, items]) => ({ agencyCode, value: shardPage(items, first, positions[agencyCode]) }));
    const merged = mergeConnection(parts as never, first, positions, shape) as unknown as Merged;
    expect(merged.totalCount).toBe([...shards.values()].reduce((sum, items) => sum + items.length, 0));
    expect(merged.edges.length).toBe(merged.pageInfo.hasNextPage ? first : merged.edges.length);
    seen.push(...merged.edges);
    if (!merged.pageInfo.hasNextPage) return seen;
    after = merged.pageInfo.endCursor;
  }
  throw new Error("the walk did not end");
}

describe("walking a connection merged from nine shards of very unequal sizes", () => {
  test.each([1, 2, 3, 4, 5])("seed %i: every item exactly once, in the total order", (seed) => {
    const random = seededRandom(seed);
    const shards = makeShards([0, 1, 3, 2500, 40, 0, 977, 5, 4000].map((n) => Math.floor(n * (0.5 + random()))), random);
    const expected = [...shards.values()].flat().sort(expectedOrder).map((item) => item.identifier);
    expect(walk(shards, random).map((edge) => edge.node.identifier)).toEqual(expected);
  });
});

test("the merged answer's fields come in the client's order, as the engine's execution gives them", () => {
  const shards = makeShards([3, 2], seededRandom(1));
  const positions: Positions = Object.fromEntries([...shards.keys()].map((code) => [code, null]));
  const parts = [...shards].map(([agencyCode, items]) => ({ agencyCode, value: shardPage(items, 2, null) }));
  const reversed: ConnectionShape = { ...shape, order: ["pageInfo", "edges", "totalCount"], pageInfo: [{ ...shape.pageInfo[0], order: ["endCursor", "hasNextPage"] }] };
  const merged = mergeConnection(parts as never, 2, positions, reversed) as Record<string, Record<string, unknown>>;
  expect(Object.keys(merged)).toEqual(["pageInfo", "edges", "totalCount"]);
  expect(Object.keys(merged.pageInfo)).toEqual(["endCursor", "hasNextPage"]);
});

describe("mergePages", () => {
  const key = (issued: string, identifier: string): SortKey => ({ order: ORDER, values: [issued, identifier], directions: ["desc", "asc"] });
  const page = (agencyCode: string, keys: SortKey[], hasMore = false) => ({ agencyCode, size: keys.length, keyAt: (index: number) => keys[index], hasMore });

  test("takes the first items across shards and says exactly whether more follow", () => {
    const pages = [page("MOJ", [key("2017-01-02", "M1"), key("2015-01-01", "M2")]), page("ACA", [key("2016-05-05", "A1")])];
    expect(mergePages(pages, 2)).toEqual({ taken: [{ agencyCode: "MOJ", index: 0 }, { agencyCode: "ACA", index: 0 }], hasNextPage: true });
    expect(mergePages(pages, 3).hasNextPage).toBe(false);
    expect(mergePages([page("ACA", [key("2016-05-05", "A1")], true)], 1).hasNextPage).toBe(true);
  });

  test("equal keys in two shards are ordered as the agency directory orders their agencies", () => {
    const pages = [page("MOJ", [key("2017-01-01", "X")]), page("ACA", [key("2017-01-01", "X")])];
    expect(mergePages(pages, 2).taken.map((t) => t.agencyCode)).toEqual(["MOJ", "ACA"]);
  });
});

describe("gateway cursors", () => {
  test("record each shard's position, its own cursor as the shard wrote it, and round-trip", () => {
    const shardCursor = encodeCursor({ order: ORDER, values: ["2017-01-01", "MOJ-1"], directions: ["desc", "asc"] });
    const positions = { MOJ: shardCursor, ACA: null, BOP: "42" };
    const cursor = encodeGatewayCursor(positions);
    expect(cursor).toBe(`MOJ.${shardCursor}~ACA.~BOP.42`);
    expect(decodeGatewayCursor(cursor)).toEqual(positions);
  });

  test("read the cursors issued before, base64url JSON", () => {
    const earlier = Buffer.from(JSON.stringify({ shards: { MOJ: "17", ACA: null } }), "utf8").toString("base64url");
    expect(decodeGatewayCursor(earlier)).toEqual({ MOJ: "17", ACA: null });
  });

  test("refuse a shard's cursor that would not read back", () => {
    expect(() => encodeGatewayCursor({ MOJ: "a~ACA.b" })).toThrow("not base64url");
    expect(() => encodeGatewayCursor({ MOJ: "" })).toThrow("not base64url");
  });

  test("keep any code a client writes as a position of its own, never as the object's prototype", () => {
    const positions = decodeGatewayCursor("__proto__.~MOJ.abc");
    expect(Object.keys(positions)).toEqual(["__proto__", "MOJ"]);
    expect(Object.getPrototypeOf(positions)).toBe(Object.prototype);
  });

  test.each(["", "not a cursor", "MOJ.abc~", "MOJ.a.b", Buffer.from('{"shards":[1]}').toString("base64url")])("refuse %p as bad input", (cursor) => {
    expect(() => decodeGatewayCursor(cursor)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }));
  });
});
