/**
 * Listing datasets: text search that works for Chinese, filters, and a
 * constant number of SQL statements per page whatever its size (no N+1).
 */
import { Client } from "pg";
import { Role } from "../contract/claims";
import { startTestTopology, type TestTopology } from "./topology";

let topology: TestTopology;
let admin: string;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
  admin = await topology.token(Role.MINISTRY_ADMIN);
});

afterAll(async () => {
  await topology?.stop();
});

interface Page {
  datasets: { totalCount: number; edges: { node: { identifier: string; title: string; description: string; category: string; resources: { format: string }[] } }[] };
}

async function list(args: string, first = 100): Promise<Page["datasets"]> {
  const response = await topology.query<Page>(
    `{ datasets(first: ${first}, ${args}) { totalCount edges { node { identifier title description category quality { level } resources { format checks { checkedAt } } } } } }`,
    undefined,
    admin,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.datasets;
}

async function expected(where: string, values: unknown[]): Promise<string[]> {
  const rows = await topology.sql<{ identifier: string }>("catalogue:ACA", `select identifier from dataset d where ${where} order by identifier`, values);
  return rows.map((row) => row.identifier);
}

const identifiers = (page: Page["datasets"]) => page.edges.map((edge) => edge.node.identifier).sort();

test("searching Chinese text finds exactly the datasets whose title or description contains it", async () => {
  for (const term of ["收容人數", "矯正", "按性別及年齡", "民國104年"]) {
    const page = await list(`search: "${term}"`);
    const want = await expected("position($1 in d.title || ' ' || d.description) > 0", [term]);
    expect(want.length).toBeGreaterThan(0);
    expect(page.totalCount).toBe(want.length);
    const found = identifiers(page);
    expect({ term, found }).toEqual({ term, found: want.length <= 100 ? want : found.filter((id) => want.includes(id)) });
    expect(found).toHaveLength(Math.min(100, want.length));
  }
  expect((await list(`search: "沒有這種資料集"`)).totalCount).toBe(0);
  // LIKE wildcards in a query are taken literally.
  expect((await list(`search: "%"`)).totalCount).toBe(0);
  // Quotes, question marks and backslashes are text too, in the search, the category and the format.
  for (const odd of ["it's", "矯正?", "\\\\", "?? or 1=1"]) {
    expect((await list(`search: ${JSON.stringify(odd)}`)).totalCount).toBe(0);
    expect((await list(`category: ${JSON.stringify(odd)}, format: ${JSON.stringify(odd)}`)).totalCount).toBe(0);
  }
});

test("filters by category and by resource format, each dataset once", async () => {
  const json = await list(`format: "json"`);
  expect(identifiers(json)).toEqual((await expected("exists (select 1 from resource r where r.dataset_id = d.id and lower(r.format) = 'json')", [])).slice(0, 100));
  expect(json.edges.every((edge) => edge.node.resources.some((r) => r.format === "JSON"))).toBe(true);
  // Spelled as a person may type it, the format is the same filter.
  for (const spelled of [".json", "ＪＳＯＮ", "json檔"]) expect([spelled, identifiers(await list(`format: ${JSON.stringify(spelled)}`))]).toEqual([spelled, identifiers(json)]);
  const category = await list(`category: "生活安全及品質"`);
  expect(category.totalCount).toBe((await expected("category = $1", ["生活安全及品質"])).length);
  expect(category.edges.every((edge) => edge.node.category === "生活安全及品質")).toBe(true);
});

test("a page of 100 datasets with their resources and latest quality results costs as many SQL statements as a page of 5", async () => {
  const statements: string[] = [];
  const original = Client.prototype.query;
  const counting = function (this: Client, ...args: unknown[]) {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string })?.text;
    if (text && /^\s*select/i.test(text)) statements.push(text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  const measure = async (first: number) => {
    statements.length = 0;
    Client.prototype.query = counting as typeof Client.prototype.query;
    try {
      const page = await list("", first);
      expect(page.edges).toHaveLength(first);
    } finally {
      Client.prototype.query = original;
    }
    return statements.filter((sql) => /"dataset"|"resource"|"dataset_check"|"resource_check"/.test(sql)).length;
  };
  const small = await measure(5);
  const large = await measure(100);
  expect(small).toBeGreaterThan(0);
  expect(large).toBe(small);
  expect(large).toBeLessThanOrEqual(5);
});

test("retiring a dataset keeps it with its day and reason, hides it from the public, and counts it as retired", async () => {
  const staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  const [target, into] = await topology.sql<{ id: string; identifier: string }>(
    "catalogue:ACA",
    "select id, identifier from dataset where lifecycle_state = 'PUBLISHED' and issued < '2017-01-01' order by identifier limit 2",
  );
  const summary = async () =>
    (await topology.query<{ catalogueSummary: { published: number; retired: number } }>("{ catalogueSummary { published retired } }", undefined, admin)).data!.catalogueSummary;
  const before = await summary();
  const retire = (input: Record<string, unknown>, token = staff) =>
    topology.query<{ retireDataset: { dataset: { lifecycleState: string; retiredOn: string; retirementReason: string } } }>(
      "mutation($input: RetireDatasetInput!) { retireDataset(input: $input) { dataset { lifecycleState retiredOn retirementReason } } }",
      { input: { agencyCode: "ACA", datasetId: target.id, ...input } },
      token,
    );

  expect((await retire({ reason: "合併", mergedInto: "ACA-NO-SUCH" })).errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  const intoItself = await retire({ reason: "合併", mergedInto: target.identifier });
  expect(intoItself.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.mergedInto", reason: expect.stringContaining("is the retired dataset itself") }] });
  expect(await topology.sql("catalogue:ACA", "select lifecycle_state from dataset where id = $1", [target.id])).toEqual([{ lifecycle_state: "PUBLISHED" }]);
  expect((await retire({ reason: "x" }, await topology.token(Role.AGENCY_STAFF, "MOJ"))).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  const retired = await retire({ reason: "資料已合併", mergedInto: into.identifier, retiredOn: "2018-01-31" });
  expect(retired.data!.retireDataset.dataset).toEqual({ lifecycleState: "RETIRED", retiredOn: "2018-01-31", retirementReason: `merged into ${into.identifier}: 資料已合併` });
  expect((await retire({ reason: "again" })).errors?.[0].extensions?.code).toBe("CONFLICT");

  expect(await summary()).toEqual({ published: before.published - 1, retired: before.retired + 1 });
  const publicView = await topology.query<{ dataset: unknown }>(`{ dataset(agencyCode: "ACA", id: "${target.id}") { title } }`);
  expect(publicView.data!.dataset).toBeNull();
  // The seeded dataset's history: published, then retired.
  const events = await topology.sql<{ type: string }>("catalogue:ACA", "select type from outbox_event where subject_id = $1 order by seq", [target.id]);
  expect(events.map((event) => event.type)).toEqual(["DatasetPublished", "DatasetRetired"]);
});

test("a day yet to come, or before ROC year 1, is refused as a dataset's issue or retirement day, and nothing is written", async () => {
  const staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  const register = (identifier: string, issued: string) =>
    topology.query(
      "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
      { input: { agencyCode: "ACA", identifier, title: "收容人數", description: "各監獄收容人數", category: "公共資訊", accrualPeriodicity: "每1月", issued } },
      staff,
    );
  for (const [issued, reason] of [
    ["2099-01-01", /^is after today \(\d{4}-\d{2}-\d{2} in Taipei\): enter today or an earlier day, or leave it out for today$/],
    ["1900-01-01", /^is before 1912-01-01, ROC year 1/],
    ["0001-01-01", /^is before 1912-01-01, ROC year 1/],
  ] as const) {
    const refused = await register(`ACA-DAY-${issued}`, issued);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.issued", reason: expect.stringMatching(reason) }] });
    expect(await topology.sql("catalogue:ACA", "select 1 from dataset where identifier = $1", [`ACA-DAY-${issued}`])).toEqual([]);
  }

  const [target] = await topology.sql<{ id: string }>("catalogue:ACA", "select id from dataset where lifecycle_state = 'PUBLISHED' order by identifier limit 1");
  const retired = await topology.query(
    "mutation($input: RetireDatasetInput!) { retireDataset(input: $input) { dataset { lifecycleState } } }",
    { input: { agencyCode: "ACA", datasetId: target.id, reason: "資料已不再產製", retiredOn: "2030-01-01" } },
    staff,
  );
  expect(retired.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.retiredOn", reason: expect.stringContaining("is after today") }] });
  expect(await topology.sql("catalogue:ACA", "select lifecycle_state, retired_on from dataset where id = $1", [target.id])).toEqual([{ lifecycle_state: "PUBLISHED", retired_on: null }]);
  expect(await topology.sql("catalogue:ACA", "select 1 from outbox_event where subject_id = $1 and type = 'DatasetRetired'", [target.id])).toEqual([]);
});
