/**
 * The datastore through the gateway: a Big5 CSV published, loaded into the
 * agency's database with inferred column types, and read page by page with
 * filters and orders, or downloaded whole or sliced (CSV, JSON); every page
 * and download counts as a use of the dataset; a changed file is loaded again
 * after the quality check that reads it.
 */
import "./allow-loopback-fetch";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import iconv from "iconv-lite";
import { Role } from "../contract/claims";
import { Datastore } from "../subgraphs/catalogue/datastore/entities";
import { readDumpRequest, writeDump } from "../subgraphs/catalogue/datastore/dump";
import { startTestTopology, type TestTopology } from "./topology";

const prisons = ["臺北監獄", "臺中監獄", "高雄監獄", "花蓮監獄"];
const lines = ["機關,年月,收容人數,比率,備註"];
for (let i = 0; i < 40; i += 1) lines.push(`${prisons[i % 4]},2017-${String((i % 12) + 1).padStart(2, "0")}-01,${1000 + i},${(i / 10).toFixed(1)},${i % 5 === 0 ? "" : "月底"}`);
const big5 = iconv.encode(lines.join("\r\n") + "\r\n", "big5");
/** What the agency's web server holds at the resource's address now. */
let served = big5;

let server: Server;
let base: string;
let topology: TestTopology;
let staff: string;
let datasetId: string;
let resourceId: string;

const ROWS = `query($id: ID!, $filter: [RowFilterInput!], $orderBy: RowOrderInput, $after: String) {
  dataset(agencyCode: "ACA", id: $id) { resources {
    id datastore { state encoding rows requests sha256 loadedAt columns { name type } }
    rows(filter: $filter, orderBy: $orderBy, first: 5, after: $after) { totalCount edges { cursor node } pageInfo { hasNextPage endCursor } } } } }`;

type Page = { totalCount: number; edges: { node: Record<string, unknown> }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
type Answer = {
  dataset: { resources: { id: string; datastore: { state: string; encoding: string; rows: number; requests: number; sha256: string; loadedAt: string; columns: { name: string; type: string }[] } | null; rows: Page | null }[] };
};

const read = (variables: Record<string, unknown> = {}, token?: string) => topology.query<Answer>(ROWS, { id: datasetId, ...variables }, token);
/**
 * The datastore's use count, read without a page of rows: a read that also serves a page counts itself while it
 * reads the count, and which of the two comes first is a race.
 */
const uses = async () =>
  (await topology.query<{ dataset: { resources: { datastore: { requests: number } }[] } }>(`query($id: ID!) { dataset(agencyCode: "ACA", id: $id) { resources { datastore { requests } } } }`, { id: datasetId }))
    .data!.dataset.resources[0].datastore.requests;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/csv" });
    response.end(served);
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
  resourceId = (await read()).data!.dataset.resources[0].id;
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
  const before = await uses();
  await read();
  await read();
  await read();
  expect((await uses()) - before).toBe(3);
});

const dump = (query = "") => fetch(`${topology.gateway.url.replace(/\/graphql$/, "")}/datastore/dump/aca/${resourceId}${query}`);

test("a filtered, sorted slice downloads as CSV through the gateway, header first, and counts as one use", async () => {
  const before = await uses();
  const response = await dump(`?filters=${encodeURIComponent(JSON.stringify({ 機關: "臺中監獄" }))}&sort=${encodeURIComponent("收容人數 desc")}&limit=3`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.csv"$/);
  expect(await response.text()).toBe("機關,年月,收容人數,比率,備註\n臺中監獄,2017-02-01,1037,3.7,月底\n臺中監獄,2017-10-01,1033,3.3,月底\n臺中監獄,2017-06-01,1029,2.9,月底\n");
  expect((await uses()) - before).toBe(1);
});

test("the whole resource downloads as CKAN's JSON dump (fields with their types, records in file order), with a BOM when asked", async () => {
  const json = (await (await dump("?format=json")).json()) as { fields: unknown[]; records: unknown[][] };
  expect(json.fields).toEqual([
    { id: "機關", type: "text" },
    { id: "年月", type: "date" },
    { id: "收容人數", type: "int" },
    { id: "比率", type: "numeric" },
    { id: "備註", type: "text" },
  ]);
  expect(json.records).toHaveLength(40);
  expect(json.records[0]).toEqual(["臺北監獄", "2017-01-01", 1000, 0, null]);
  expect(json.records[39]).toEqual(["花蓮監獄", "2017-04-01", 1039, 3.9, "月底"]);
  const bytes = Buffer.from(await (await dump("?bom=true&limit=0")).arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.subarray(3).toString("utf8")).toBe("機關,年月,收容人數,比率,備註\n");
});

test("a slice longer than one statement's page comes whole and in order", async () => {
  const em = topology.instances.get("catalogue:ACA")!.orm.em.fork();
  const datastore = await em.findOneOrFail(Datastore, { resourceId });
  const request = readDumpRequest(new URLSearchParams({ format: "json", sort: "比率 desc" }));
  const local = createServer((_request, response) => void writeDump(em, datastore, request, response as ServerResponse, 7));
  await new Promise<void>((resolveListen) => local.listen(0, "127.0.0.1", resolveListen));
  try {
    const json = (await (await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`)).json()) as { records: unknown[][] };
    // 比率 is 0.0–3.9, each once: 40 rows over six pages of 7, largest first.
    expect(json.records.map((record) => record[3])).toEqual(Array.from({ length: 40 }, (_, i) => (39 - i) / 10));
  } finally {
    local.close();
  }
});

test("a download with a wrong parameter, of an unknown resource or agency, is refused with the code and nothing counted", async () => {
  const before = await uses();
  const wrongColumn = await dump(`?filters=${encodeURIComponent(JSON.stringify({ 姓名: "x" }))}`);
  expect(wrongColumn.status).toBe(400);
  const body = (await wrongColumn.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(body.errors[0].message).toContain("filter.0.column");
  expect((await dump("?format=xlsx")).status).toBe(400);
  expect((await dump("?limit=-1")).status).toBe(400);
  const base = topology.gateway.url.replace(/\/graphql$/, "");
  const unknownResource = await fetch(`${base}/datastore/dump/aca/00000000-0000-4000-8000-000000000000`);
  expect(unknownResource.status).toBe(404);
  expect(((await unknownResource.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe("NOT_FOUND");
  expect((await fetch(`${base}/datastore/dump/xyz/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  expect((await uses()) - before).toBe(0);
});

test("a file changed at its address is loaded again after the quality check that reads it; an unchanged one is not", async () => {
  const loaded = (await read()).data!.dataset.resources[0].datastore!;
  const check = () =>
    topology.query("mutation($input: CheckDatasetQualityInput!) { checkDatasetQuality(input: $input) { check { level } } }", { input: { agencyCode: "ACA", datasetId } }, staff);
  expect((await check()).errors).toBeUndefined();
  await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
  expect((await read()).data!.dataset.resources[0].datastore!.loadedAt).toBe(loaded.loadedAt);

  served = iconv.encode([...lines, "臺東監獄,2018-01-01,2000,9.9,新增"].join("\r\n") + "\r\n", "big5");
  expect((await check()).errors).toBeUndefined();
  let now = loaded;
  for (let tries = 0; tries < 100 && now.sha256 === loaded.sha256; tries += 1) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    now = (await read()).data!.dataset.resources[0].datastore!;
  }
  expect(now).toMatchObject({ state: "LOADED", rows: 41 });
  expect(now.sha256).not.toBe(loaded.sha256);
  const last = (await read({ filter: [{ column: "機關", operator: "EQ", value: "臺東監獄" }] })).data!.dataset.resources[0].rows!;
  expect(last.edges.map((edge) => edge.node)).toEqual([{ 機關: "臺東監獄", 年月: "2018-01-01", 收容人數: 2000, 比率: 9.9, 備註: "新增" }]);
});

test("ordered by a column with empty values, pages walk every row once, empty values as the largest in both directions", async () => {
  for (const direction of ["ASC", "DESC"]) {
    const seen: { row: number; note: unknown }[] = [];
    let after: string | null = null;
    do {
      const page: Page = (await read({ orderBy: { column: "備註", direction }, after })).data!.dataset.resources[0].rows!;
      seen.push(...page.edges.map((edge) => ({ row: edge.node["收容人數"] as number, note: edge.node["備註"] })));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen.map((item) => item.row)).size).toBe(seen.length);
    // Every row the file holds, before the one the reload test adds.
    expect(seen.length).toBeGreaterThanOrEqual(40);
    const empties = seen.flatMap((item, position) => (item.note === null ? [position] : []));
    expect(empties).toHaveLength(8);
    // Empty values together, at the end going up and at the start going down; ties in file order, both ways as the direction says.
    expect(empties).toEqual(direction === "ASC" ? Array.from({ length: 8 }, (_, i) => seen.length - 8 + i) : Array.from({ length: 8 }, (_, i) => i));
    const tied = seen.filter((item) => item.note === null).map((item) => item.row);
    expect(tied).toEqual([...tied].sort((a, b) => (direction === "ASC" ? a - b : b - a)));
  }
});
