/**
 * Quality checks for real: files served over HTTP on loopback (UTF-8 and
 * Big5 CSV, JSON, a broken link, a redirect, an HTML error page, a server
 * that never answers), checked through the gateway and directly.
 */
import "./allow-loopback-fetch";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { checkDataset } from "../subgraphs/catalogue/quality/checker";
import { DEFAULT_BADGE_RULES } from "../subgraphs/catalogue/quality/indicators";
import { allowList } from "../subgraphs/catalogue/quality/probe";
import { Dataset } from "../subgraphs/catalogue/entities";
import { Role } from "../contract/claims";
import { rootLogger } from "../contract/logger";
import { startTestTopology, type TestTopology } from "./topology";

const big5 = Buffer.from([0xa6, 0x7e, 0xab, 0xd7, 0x2c, 0xa5, 0xf3, 0xbc, 0xc6, 0x0a, 0x32, 0x30, 0x31, 0x37, 0x2c, 0x35, 0x0a]); // 年度,件數\n2017,5\n
const files: Record<string, { status?: number; type?: string; body?: Buffer | string; location?: string; hang?: boolean }> = {
  "/utf8.csv": { type: "text/csv; charset=utf-8", body: "年度,件數\n2017,5\n" },
  "/big5.csv": { type: "text/csv", body: big5 },
  "/data.json": { type: "application/json", body: '[{"年度":2017}]' },
  "/moved": { status: 302, location: "/utf8.csv" },
  "/error.html": { type: "text/html", body: "<!DOCTYPE html><html><body>系統維護中</body></html>" },
  "/missing": { status: 404, body: "not found" },
  "/slow": { hang: true },
};

let server: Server;
let base: string;
let topology: TestTopology;
let staff: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const file = files[request.url ?? ""] ?? files["/missing"];
    if (file.hang) return;
    response.writeHead(file.status ?? 200, { ...(file.type ? { "content-type": file.type } : {}), ...(file.location ? { location: file.location } : {}) });
    response.end(file.body);
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  topology = await startTestTopology(["ACA"]);
  staff = await topology.token(Role.AGENCY_STAFF, "ACA");
});

afterAll(async () => {
  await topology?.stop();
  server?.closeAllConnections();
  server?.close();
});

let serial = 0;
async function register(resources: { path: string; format: string; encoding: string; fields?: string[] }[], extra: Record<string, unknown> = {}): Promise<string> {
  serial += 1;
  const response = await topology.query<{ registerDataset: { dataset: { id: string } } }>(
    "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
    {
      input: {
        agencyCode: "ACA",
        identifier: `ACA-Q-${serial}`,
        title: `檢測 ${serial}`,
        description: "品質檢測測試",
        category: "公共資訊",
        accrualPeriodicity: "每1月",
        resources: resources.map((r) => ({
          description: r.path,
          format: r.format,
          encoding: r.encoding,
          downloadUrl: `${base}${r.path}`,
          fields: r.fields?.map((name) => ({ name })),
        })),
        ...extra,
      },
    },
    staff,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.registerDataset.dataset.id;
}

interface Check {
  level: string;
  indicators: Record<string, boolean | null>;
}

async function check(datasetId: string): Promise<Check> {
  const response = await topology.query<{ checkDatasetQuality: { check: Check } }>(
    `mutation($input: CheckDatasetQualityInput!) { checkDatasetQuality(input: $input) { check { level indicators {
      linkValidity directDownload structuredFormat encodingMatch fieldsMatch timeliness replyEfficiency } } } }`,
    { input: { agencyCode: "ACA", datasetId } },
    staff,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.checkDatasetQuality.check;
}

const fields = ["年度", "件數"];

test("a structured UTF-8 file whose columns match what is declared passes every automated indicator", async () => {
  const result = await check(await register([{ path: "/utf8.csv", format: "CSV", encoding: "UTF-8", fields }]));
  expect(result.indicators).toEqual({ linkValidity: true, directDownload: true, structuredFormat: true, encodingMatch: true, fieldsMatch: true, timeliness: true, replyEfficiency: null });
  // The reply record lives in the feedback shard; without it the top badge cannot be judged.
  expect(result.level).toBe("GOLD");
});

test("Big5 bytes: a match when declared BIG-5 (columns read in Big5), a mismatch when declared UTF-8", async () => {
  const declaredBig5 = await check(await register([{ path: "/big5.csv", format: "CSV", encoding: "BIG-5", fields }]));
  expect(declaredBig5.indicators).toMatchObject({ encodingMatch: true, fieldsMatch: true });
  const declaredUtf8 = await check(await register([{ path: "/big5.csv", format: "CSV", encoding: "UTF-8", fields }]));
  expect(declaredUtf8.indicators.encodingMatch).toBe(false);
  expect(declaredUtf8.level).toBe("BRONZE");
});

test("a redirect is followed; an HTML page where a file was declared is not a download; broken and silent links fail", async () => {
  expect((await check(await register([{ path: "/moved", format: "CSV", encoding: "UTF-8", fields }]))).indicators).toMatchObject({ linkValidity: true, directDownload: true, fieldsMatch: true });
  const html = await check(await register([{ path: "/error.html", format: "CSV", encoding: "UTF-8", fields }]));
  expect(html.indicators).toMatchObject({ linkValidity: true, directDownload: false, encodingMatch: null });
  expect(html.level).toBe("NONE");
  expect((await check(await register([{ path: "/missing", format: "CSV", encoding: "UTF-8" }]))).indicators.linkValidity).toBe(false);
  const started = Date.now();
  expect((await check(await register([{ path: "/slow", format: "CSV", encoding: "UTF-8" }]))).indicators.linkValidity).toBe(false);
  expect(Date.now() - started).toBeLessThan(10_000);
});

test("a dataset's result is the intersection of its resources'; an old file of a monthly dataset is not timely", async () => {
  const mixed = await check(await register([{ path: "/utf8.csv", format: "CSV", encoding: "UTF-8", fields }, { path: "/data.json", format: "PDF", encoding: "UTF-8" }]));
  expect(mixed.indicators).toMatchObject({ linkValidity: true, structuredFormat: false, fieldsMatch: true });
  expect(mixed.level).toBe("BRONZE");
  const stale = await check(await register([{ path: "/utf8.csv", format: "CSV", encoding: "UTF-8", fields }], { modified: "2015-01-01T00:00:00Z" }));
  expect(stale.indicators.timeliness).toBe(false);
});

test("with the agency's reply record, reply efficiency completes the platinum badge; history and events are kept", async () => {
  const id = await register([{ path: "/utf8.csv", format: "CSV", encoding: "UTF-8", fields }]);
  const em = topology.instances.get("catalogue:ACA")!.orm.em.fork();
  const dataset = await em.findOneOrFail(Dataset, { id });
  const onTime = await checkDataset(em, dataset, { now: new Date(), timeoutMs: 1000, fetchAllowed: allowList(["127.0.0.1"]), periodMs: 86_400_000, badgeRules: DEFAULT_BADGE_RULES, replyStats: { answered: 4, answeredOnTime: 4, overdue: 0 }, scan: { timeoutMs: 1000, silenceMs: 1000, allowed: allowList(["127.0.0.1"]) }, log: rootLogger });
  expect(onTime.level).toBe("PLATINUM");
  const late = await checkDataset(em, dataset, { now: new Date(), timeoutMs: 1000, fetchAllowed: allowList(["127.0.0.1"]), periodMs: 86_400_000, badgeRules: DEFAULT_BADGE_RULES, replyStats: { answered: 4, answeredOnTime: 3, overdue: 0 }, scan: { timeoutMs: 1000, silenceMs: 1000, allowed: allowList(["127.0.0.1"]) }, log: rootLogger });
  expect(late.level).toBe("GOLD");

  const history = await topology.query<{ dataset: { quality: { level: string }; resources: { checks: { indicators: { linkValidity: boolean } }[] }[] } }>(
    `{ dataset(agencyCode: "ACA", id: "${id}") { quality { level } resources { checks(last: 10) { indicators { linkValidity } } } } }`,
    undefined,
    staff,
  );
  expect(history.data!.dataset.quality.level).toBe("GOLD");
  expect(history.data!.dataset.resources[0].checks).toHaveLength(2);
  const events = await topology.sql<{ type: string; title: string }>("catalogue:ACA", "select type, payload->>'title' as title from outbox_event where subject_id = $1 order by seq", [id]);
  expect(events.map((e) => e.type)).toEqual(["DatasetPublished", "QualityChecked", "QualityChecked"]);
  // A quality check names the dataset, as a live page lists it.
  const [{ title }] = await topology.sql<{ title: string }>("catalogue:ACA", "select title from dataset where id = $1", [id]);
  expect(events.map((e) => e.title)).toEqual([title, title, title]);
});

test("a retired dataset is not checked: CONFLICT, and no check is recorded", async () => {
  const id = await register([{ path: "/utf8.csv", format: "CSV", encoding: "UTF-8", fields }]);
  const retired = await topology.query(
    "mutation($input: RetireDatasetInput!) { retireDataset(input: $input) { dataset { lifecycleState } } }",
    { input: { agencyCode: "ACA", datasetId: id, reason: "資料已不再產製" } },
    staff,
  );
  expect(retired.errors).toBeUndefined();
  const response = await topology.query(
    "mutation($input: CheckDatasetQualityInput!) { checkDatasetQuality(input: $input) { check { level } } }",
    { input: { agencyCode: "ACA", datasetId: id } },
    staff,
  );
  expect(response.errors?.[0]).toMatchObject({ message: `Cannot check the quality of ACA-Q-${serial}: it is RETIRED, not PUBLISHED.`, extensions: { code: "CONFLICT" } });
  expect(await topology.sql("catalogue:ACA", "select 1 from dataset_check where dataset_id = $1", [id])).toEqual([]);
});

test("lists filter by the badge of the latest check", async () => {
  const response = await topology.query<{ datasets: { edges: { node: { identifier: string; quality: { level: string } } }[] } }>(
    `{ datasets(first: 100, badge: BRONZE) { edges { node { identifier quality { level } } } } }`,
    undefined,
    staff,
  );
  expect(response.errors).toBeUndefined();
  const edges = response.data!.datasets.edges;
  expect(edges.length).toBeGreaterThanOrEqual(2);
  expect(edges.every((edge) => edge.node.quality.level === "BRONZE")).toBe(true);
});
