/**
 * The CONNECTION merge across nine real shards: walking every page returns
 * every dataset exactly once, in one total order, whatever the page sizes and
 * however unequal the shards (one is emptied, the largest holds ~30%).
 */
import { seededRandom } from "../subgraphs/kit/random";
import { Role } from "../contract/claims";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";
import { AGENCY_CODES } from "../contract/agencies";

const codes = [...AGENCY_CODES];
let topology: TestTopology;
let token: string;

beforeAll(async () => {
  topology = await startTestTopology(codes);
  token = await topology.token(Role.MINISTRY_ADMIN);
  // One shard with nothing to list (its inventory refers to its datasets).
  await topology.sql("catalogue:AJ", "delete from inventory_item");
  await topology.sql("catalogue:AJ", "delete from dataset");
}, 120_000);

afterAll(async () => {
  await topology?.stop();
});

interface Row {
  agency_code: string;
  identifier: string;
  title: string;
  issued: string;
}

const bytes = (text: string) => Buffer.from(text, "utf8");

async function allRows(): Promise<Row[]> {
  const parts = await Promise.all(
    codes.map((code) => topology.sql<Row>(`catalogue:${code}`, "select agency_code, identifier, title, to_char(issued, 'YYYY-MM-DD') as issued from dataset")),
  );
  return parts.flat();
}

const orders: Record<string, (a: Row, b: Row) => number> = {
  PUBLISHED_DESC: (a, b) => bytes(b.issued).compare(bytes(a.issued)) || bytes(a.identifier).compare(bytes(b.identifier)) || bytes(a.agency_code).compare(bytes(b.agency_code)),
  TITLE_ASC: (a, b) => bytes(a.title).compare(bytes(b.title)) || bytes(a.identifier).compare(bytes(b.identifier)) || bytes(a.agency_code).compare(bytes(b.agency_code)),
};

interface Page {
  datasets: {
    totalCount: number;
    edges: { cursor: string; node: { agencyCode: string; identifier: string; title: string; issued: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const PAGE = `query($first: Int!, $after: String, $orderBy: DatasetOrder!) {
  datasets(first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    edges { cursor node { agencyCode identifier title issued } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function walk(orderBy: string, seed: number, betweenPages?: (page: number) => Promise<void>): Promise<Row[]> {
  const random = seededRandom(seed);
  const seen: Row[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const first = 1 + Math.floor(random() * 100);
    const response: GraphQLResponse<Page> = await topology.query<Page>(PAGE, { first, after, orderBy }, token);
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo } = response.data!.datasets;
    expect(edges.length).toBeLessThanOrEqual(first);
    if (pageInfo.hasNextPage) expect(edges).toHaveLength(first);
    seen.push(...edges.map(({ node }) => ({ agency_code: node.agencyCode, identifier: node.identifier, title: node.title, issued: node.issued })));
    if (!pageInfo.hasNextPage) return seen;
    // Any edge's cursor resumes right after it; the page's end cursor is its last edge's.
    expect(pageInfo.endCursor).toBe(edges.at(-1)!.cursor);
    after = pageInfo.endCursor;
    await betweenPages?.(page);
  }
  throw new Error("the walk did not end");
}

const key = (row: Row) => `${row.agency_code}/${row.identifier}`;

test.each([
  ["PUBLISHED_DESC", 20261126],
  ["TITLE_ASC", 7],
])("walking %s in random page sizes returns the exact sorted union of nine shards", async (orderBy, seed) => {
  const expected = (await allRows()).sort(orders[orderBy]);
  expect(new Set(expected.map((row) => row.agency_code)).size).toBe(codes.length - 1);
  const first = await topology.query<Page>(PAGE, { first: 1, after: null, orderBy }, token);
  expect(first.data!.datasets.totalCount).toBe(expected.length);
  const seen = await walk(orderBy, seed);
  expect(seen.map(key)).toEqual(expected.map(key));
});

test("rows added between pages: every existing row once, none twice, the existing ones in order", async () => {
  const before = await allRows();
  const random = seededRandom(42);
  let added = 0;
  const seen = await walk("PUBLISHED_DESC", 99, async () => {
    const code = codes[Math.floor(random() * codes.length)];
    added += 1;
    const issued = `20${10 + Math.floor(random() * 9)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    await topology.sql(
      `catalogue:${code}`,
      `insert into dataset (id, agency_code, identifier, title, description, category, type, license, accrual_periodicity, issued, modified, lifecycle_state)
       values (gen_random_uuid(), $1, $2, $3, 'added while walking', '公共資訊', 'RAW_DATA', '政府資料開放授權條款-第1版', '每1年', $4, now(), 'PUBLISHED')`,
      [code, `${code}-NEW-${String(added).padStart(4, "0")}`, `新增資料集${added}`, issued],
    );
  });
  expect(added).toBeGreaterThan(10);
  const keys = seen.map(key);
  expect(new Set(keys).size).toBe(keys.length);
  const seenKeys = new Set(keys);
  expect(before.filter((row) => !seenKeys.has(key(row)))).toEqual([]);
  // A new row sorting after its own shard's position is still returned, possibly after rows of other
  // shards that sort later; the rows that existed before the walk keep the total order.
  const existing = new Set(before.map(key));
  const seenExisting = seen.filter((row) => existing.has(key(row)));
  expect(seenExisting.map(key)).toEqual([...before].sort(orders.PUBLISHED_DESC).map(key));
});

test("a cursor from another order, or a forged one, is refused as bad input", async () => {
  const page = await topology.query<Page>(PAGE, { first: 3, after: null, orderBy: "TITLE_ASC" }, token);
  const cursor = page.data!.datasets.pageInfo.endCursor;
  const otherOrder = await topology.query<Page>(PAGE, { first: 3, after: cursor, orderBy: "PUBLISHED_DESC" }, token);
  expect(otherOrder.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  const forged = await topology.query<Page>(PAGE, { first: 3, after: "not-a-cursor", orderBy: "PUBLISHED_DESC" }, token);
  expect(forged.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
});
