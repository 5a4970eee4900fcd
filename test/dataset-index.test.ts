/**
 * The ministry-wide dataset index (subgraphs/metrics/dataset-index.ts)
 * through the gateway: after a stream of writes it lists what the fanned-out
 * `datasets` lists, in the same order, for every viewer; its search, filters
 * and keyset pages agree with the shards'; fields only the catalogue has are
 * resolved on the owning shard; a shard admitted at run time gets indexed.
 */
import { Role } from "../contract/claims";
import { startTestTopology, type TestTopology } from "./topology";
import { eventually } from "./eventually";

let topology: TestTopology;
let admin: string;
let viewers: Record<string, string | undefined>;

interface Listed {
  agencyCode: string;
  identifier: string;
  title: string;
  issued: string;
  modified: string;
  lifecycleState: string;
}
interface Page {
  totalCount: number;
  edges: { cursor: string; node: Listed }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const LISTING_ARGS = `$first: Int!, $after: String, $orderBy: DatasetOrder!, $search: String, $category: String, $format: String, $badge: BadgeLevel,
  $state: LifecycleState, $agencyCodes: [ID!]`;
const PASSED = "first: $first, after: $after, orderBy: $orderBy, search: $search, category: $category, format: $format, badge: $badge, state: $state, agencyCodes: $agencyCodes";
const SELECTION = "totalCount edges { cursor node { agencyCode identifier title issued modified lifecycleState } } pageInfo { hasNextPage endCursor }";

type Source = "datasets" | "datasetIndex";
type Filters = { orderBy?: string; search?: string; category?: string; format?: string; badge?: string; state?: string; agencyCodes?: string[] };

async function page(source: Source, filters: Filters, first: number, after: string | null, token?: string): Promise<Page> {
  const response = await topology.query<Record<Source, Page>>(
    `query(${LISTING_ARGS}) { ${source}(${PASSED}) { ${SELECTION} } }`,
    { orderBy: "PUBLISHED_DESC", ...filters, first, after },
    token,
  );
  expect(response.errors).toBeUndefined();
  return response.data![source];
}

/** Every item of a listing, page by page, and the total it reported. */
async function walk(source: Source, filters: Filters, token?: string, first = 100): Promise<{ total: number; items: Listed[] }> {
  const items: Listed[] = [];
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const answer: Page = await page(source, filters, first, after, token);
    total = answer.totalCount;
    items.push(...answer.edges.map((edge) => edge.node));
    if (!answer.pageInfo.hasNextPage) return { total, items };
    after = answer.pageInfo.endCursor;
  }
}

/** Both sources' walks once the index has caught up with the shards (or the deadline passed). */
async function bothCaughtUp(filters: Filters, token?: string) {
  return eventually(
    async () => ({ shards: await walk("datasets", filters, token), index: await walk("datasetIndex", filters, token) }),
    ({ shards, index }) => JSON.stringify(shards) === JSON.stringify(index),
  );
}

const register = (agencyCode: string, identifier: string, title: string, extra: Record<string, unknown> = {}) =>
  topology.query<{ registerDataset: { dataset: { id: string } } }>(
    "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
    { input: { agencyCode, identifier, title, description: "索引測試", category: "公共資訊", accrualPeriodicity: "每1年", resources: [], ...extra } },
    admin,
  );

beforeAll(async () => {
  topology = await startTestTopology(["IFM", "AJ", "AAC"], { projection: true, healthIntervalMs: 200 });
  admin = await topology.token(Role.MINISTRY_ADMIN);
  viewers = { public: undefined, ministry: admin, "AAC staff": await topology.token(Role.AGENCY_STAFF, "AAC") };
}, 180_000);

afterAll(async () => {
  await topology?.stop();
});

test("after a stream of writes the index lists what the fanned-out datasets list: same items, same order, for every viewer and order", async () => {
  const written: { agencyCode: string; id: string }[] = [];
  for (let serial = 0; serial < 24; serial++) {
    const agencyCode = ["IFM", "AJ", "AAC"][serial % 3];
    const resources = serial % 4 === 0 ? [{ description: "表", format: "json", downloadUrl: `https://example.gov.tw/${serial}.json` }] : [];
    const answer = await register(agencyCode, `${agencyCode}-IDX-${String(serial).padStart(3, "0")}`, `${serial % 2 ? "監獄收容" : "廉政案件"}統計 ${serial}`, {
      issued: `2018-0${1 + (serial % 9)}-1${serial % 10}`,
      resources,
    });
    expect(answer.errors).toBeUndefined();
    written.push({ agencyCode, id: answer.data!.registerDataset.dataset.id });
  }
  for (const { agencyCode, id } of written.filter((_, i) => i % 5 === 1)) {
    const retired = await topology.query(
      "mutation($input: RetireDatasetInput!) { retireDataset(input: $input) { dataset { lifecycleState } } }",
      { input: { agencyCode, datasetId: id, reason: "資料已不再產製" } },
      admin,
    );
    expect(retired.errors).toBeUndefined();
  }

  // Every viewer in the default order; every order for the ministry, which sees every state.
  const walks = [
    ...Object.keys(viewers).map((viewer) => ({ viewer, orderBy: "PUBLISHED_DESC" })),
    ...["TITLE_ASC", "MODIFIED_DESC"].map((orderBy) => ({ viewer: "ministry", orderBy })),
  ];
  for (const { viewer, orderBy } of walks) {
    const { shards, index } = await bothCaughtUp({ orderBy }, viewers[viewer]);
    expect({ viewer, orderBy, total: index.total, items: index.items }).toEqual({ viewer, orderBy, total: shards.total, items: shards.items });
    expect(index.items.length).toBe(index.total);
  }
  // The write stream is in it: what the public may not see is not there for the public.
  const publicList = (await walk("datasetIndex", { search: "統計" })).items;
  const ministryList = (await walk("datasetIndex", { search: "統計" }, admin)).items;
  expect(ministryList.filter((item) => item.identifier.includes("-IDX-"))).toHaveLength(24);
  expect(publicList.filter((item) => item.identifier.includes("-IDX-"))).toHaveLength(24 - written.filter((_, i) => i % 5 === 1).length);
}, 300_000);

test("search, filters and keyset pages of the index agree with the shards'", async () => {
  const cases: Filters[] = [
    { search: "監獄收容" },
    { search: "廉政", orderBy: "TITLE_ASC" },
    { category: "公共資訊", agencyCodes: ["AJ", "AAC"] },
    { format: "JSON" },
    { state: "RETIRED" },
    { agencyCodes: ["IFM"], orderBy: "PUBLISHED_ASC" },
  ];
  for (const filters of cases) {
    const { shards, index } = await bothCaughtUp(filters, admin);
    expect({ filters, ...index }).toEqual({ filters, ...shards });
  }
  const searched = await walk("datasetIndex", { search: "監獄收容" }, admin);
  expect(searched.items.length).toBeGreaterThanOrEqual(12);
  expect(searched.items.every((item) => item.title.includes("監獄收容"))).toBe(true);
  const json = await walk("datasetIndex", { format: "json" }, admin);
  expect(json.items.map((item) => item.identifier).filter((id) => id.includes("-IDX-")).sort()).toEqual(
    [0, 4, 8, 12, 16, 20].map((serial) => `${["IFM", "AJ", "AAC"][serial % 3]}-IDX-${String(serial).padStart(3, "0")}`).sort(),
  );
  expect(await walk("datasetIndex", { format: "ＪＳＯＮ檔" }, admin)).toEqual(json);

  // Pages of 5 walk the same list as one page of 100: nothing skipped, nothing twice.
  const whole = await walk("datasetIndex", { search: "統計", category: "公共資訊", orderBy: "TITLE_ASC" }, admin);
  const paged = await walk("datasetIndex", { search: "統計", category: "公共資訊", orderBy: "TITLE_ASC" }, admin, 5);
  expect(whole.items.length).toBeGreaterThan(10);
  expect(paged).toEqual(whole);
  expect(new Set(paged.items.map((item) => `${item.agencyCode}/${item.identifier}`)).size).toBe(paged.items.length);

  // A cursor of another order, or none the index issued, is refused.
  const first = await page("datasetIndex", { orderBy: "TITLE_ASC" }, 2, null, admin);
  const wrong = await topology.query(`query($after: String) { datasetIndex(first: 2, after: $after, orderBy: PUBLISHED_DESC) { totalCount } }`, { after: first.pageInfo.endCursor });
  expect(wrong.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
}, 300_000);

test("fields only the catalogue has are resolved on the owning shard for the index's nodes", async () => {
  const response = await topology.query<{ datasetIndex: { edges: { node: { identifier: string; license: string; resources: { format: string }[]; publisherOid: string } }[] } }>(
    `{ datasetIndex(first: 5, format: "JSON", orderBy: TITLE_ASC) { edges { node { identifier license resources { format } publisherOid } } } }`,
  );
  expect(response.errors).toBeUndefined();
  const nodes = response.data!.datasetIndex.edges.map((edge) => edge.node);
  expect(nodes.length).toBeGreaterThan(0);
  for (const node of nodes) {
    expect(node.resources.map((resource) => resource.format)).toContain("JSON");
    expect(node.license).toBe("政府資料開放授權條款-第1版");
    expect(node.publisherOid).toMatch(/^2\.16\.886\./);
  }
});

test("a shard admitted at run time gets indexed", async () => {
  const thpo = await topology.startInstance("catalogue", "SPO");
  const admitted = await topology.query(
    "mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { url } } }",
    { input: { subgraph: "catalogue", agencyCode: "SPO", url: thpo.url } },
    admin,
  );
  expect(admitted.errors).toBeUndefined();
  const { shards, index } = await bothCaughtUp({ agencyCodes: ["SPO"] }, admin);
  expect(shards.total).toBeGreaterThan(0);
  expect(index).toEqual(shards);
  expect(await register("SPO", "SPO-IDX-001", "新機關資料集")).not.toHaveProperty("errors");
  const after = await bothCaughtUp({ agencyCodes: ["SPO"], search: "新機關" }, admin);
  expect(after.index.items.map((item) => item.identifier)).toEqual(["SPO-IDX-001"]);
}, 120_000);
