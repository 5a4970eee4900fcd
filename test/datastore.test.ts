/**
 * The datastore through the gateway: a Big5 CSV published, loaded into the
 * agency's database with inferred column types, and read page by page with
 * filters and orders; every page counts as a use of the dataset.
 */
import "./allow-loopback-fetch";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import iconv from "iconv-lite";
import { Role } from "../contract/claims";
import { startTestTopology, type TestTopology } from "./topology";

const prisons = ["臺北監獄", "臺中監獄", "高雄監獄", "花蓮監獄"];
const lines = ["機關,年月,收容人數,比率,備註"];
for (let i = 0; i < 40; i += 1) lines.push(`${prisons[i % 4]},2017-${String((i % 12) + 1).padStart(2, "0")}-01,${1000 + i},${(i / 10).toFixed(1)},${i % 5 === 0 ? "" : "月底"}`);
const big5 = iconv.encode(lines.join("\r\n") + "\r\n", "big5");

let server: Server;
let base: string;
let topology: TestTopology;
let staff: string;
let datasetId: string;

const ROWS = `query($id: ID!, $filter: [RowFilterInput!], $orderBy: RowOrderInput, $after: String) {
  dataset(agencyCode: "ACA", id: $id) { resources {
    datastore { state encoding rows requests columns { name type } }
    rows(filter: $filter, orderBy: $orderBy, first: 5, after: $after) { totalCount edges { cursor node } pageInfo { hasNextPage endCursor } } } } }`;

type Page = { totalCount: number; edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
type Answer = { dataset: { resources: { datastore: { state: string; encoding: string; rows: number; requests: number; columns: { name: string; type: string }[] } | null; rows: Page | null }[] } };

const read = (variables: Record<string, unknown> = {}, token?: string) => topology.query<Answer>(ROWS, { id: datasetId, ...variables }, token);

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/csv" });
    response.end(big5);
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  topology = await startTestTopology(["ACA"]);
  staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  const registered = await topology.query<{ registerDataset: { dataset: { id: string } } }>(
    "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
    { input: { agencyCode: "ACA", identifier: "ACA-DS-1", title: "收容人數", description: "各監獄每月收容人數", category: "公共資訊", accrualPeriodicity: "每1月",
      resources: [{ description: "收容人數", format: "CSV", encoding: "BIG-5", downloadUrl: `${base}/prisons.csv` }] } },
    staff,
  );
  expect(registered.errors).toBeUndefined();
  datasetId = registered.data!.registerDataset.dataset.id;
  for (let tries = 0; tries < 100; tries += 1) {
    const state = (await read()).data?.dataset.resources[0].datastore?.state;
    if (state === "LOADED" || state === "FAILED") break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
});

afterAll(async () => {
  await topology?.stop();
  server?.closeAllConnections();
  server?.close();
});

test("a published Big5 CSV is loaded with its encoding detected and each column's type inferred", async () => {
  const { datastore } = (await read()).data!.dataset.resources[0];
  expect(datastore).toMatchObject({ state: "LOADED", encoding: "BIG-5", rows: 40 });
  expect(datastore!.columns).toEqual([
    { name: "機關", type: "TEXT" },
    { name: "年月", type: "DATE" },
    { name: "收容人數", type: "INTEGER" },
    { name: "比率", type: "DECIMAL" },
    { name: "備註", type: "TEXT" },
  ]);
});

test("filters and an order, page by page through the gateway: every match once, in order", async () => {
  const filter = [{ column: "機關", operator: "EQ", value: "臺中監獄" }, { column: "收容人數", operator: "GTE", value: "1005" }];
  const orderBy = { column: "收容人數", direction: "DESC" };
  const seen: unknown[] = [];
  let after: string | null = null;
  let totalCount = 0;
  do {
    const answer = await read({ filter, orderBy, after });
    expect(answer.errors).toBeUndefined();
    const page: Page = answer.data!.dataset.resources[0].rows!;
    totalCount = page.totalCount;
    seen.push(...page.edges.map((edge) => edge.node["收容人數"]));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  // 臺中監獄 is rows 1, 5, 9, … (1001, 1005, …, 1037); from 1005 on, 9 of them, largest first.
  expect(totalCount).toBe(9);
  expect(seen).toEqual([1037, 1033, 1029, 1025, 1021, 1017, 1013, 1009, 1005]);
  const first = (await read({ filter: [{ column: "年月", operator: "LT", value: "2017-02-01" }] })).data!.dataset.resources[0].rows!;
  expect(first.edges[0].node).toEqual({ 機關: "臺北監獄", 年月: "2017-01-01", 收容人數: 1000, 比率: 0, 備註: null });
  const contains = (await read({ filter: [{ column: "機關", operator: "CONTAINS", value: "花蓮" }] })).data!.dataset.resources[0].rows!;
  expect(contains.totalCount).toBe(10);
});

test("a filter on an unknown column, or a value not of the column's type, is BAD_USER_INPUT naming it", async () => {
  const unknown = await read({ filter: [{ column: "姓名", operator: "EQ", value: "x" }] });
  expect(unknown.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect(unknown.errors?.[0].message).toContain("filter.0.column");
  const mistyped = await read({ filter: [{ column: "收容人數", operator: "GT", value: "many" }] });
  expect(mistyped.errors?.[0].message).toContain("is not a value of 收容人數's type INTEGER");
});

test("every page served counts as a use of the dataset", async () => {
  const before = (await read()).data!.dataset.resources[0].datastore!.requests;
  await read();
  await read();
  const after = (await read()).data!.dataset.resources[0].datastore!.requests;
  expect(after - before).toBe(3);
});
