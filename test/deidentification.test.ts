/**
 * The de-identification gate through the gateway: files served on loopback,
 * a dataset whose file holds personal data refused until the agency's CIO
 * (and only that CIO) exempts it, scans kept and repeated by the quality check.
 */
import "./allow-loopback-fetch";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import iconv from "iconv-lite";
import { Role } from "../contract/claims";
import { startTestTopology, type TestTopology } from "./topology";

const people = "姓名,身分證字號,電話,件數\n王小明,A123456789,0912-345-678,3\n李大華,B123456780,02-2311-1234,4\n";
const files: Record<string, Buffer | string> = {
  "/people.csv": iconv.encode(people, "big5"),
  "/clean.json": JSON.stringify([{ 年度: 2017, 件數: 5 }, { 年度: 2018, 件數: 7 }]),
  "/people.json": JSON.stringify([{ 姓名: "王小明", 身分證字號: "A123456789" }]),
  "/service.csv": "機關,服務電話\n法務部,(02)2191-0189\n",
};

let server: Server;
let base: string;
let topology: TestTopology;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = files[request.url ?? ""];
    response.writeHead(body === undefined ? 404 : 200);
    response.end(body ?? "not found");
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  topology = await startTestTopology(["ACA"]);
  tokens.staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  tokens.cio = await topology.token(Role.AGENCY_CIO, "ACA");
  tokens.otherCio = await topology.token(Role.AGENCY_CIO, "MOJ");
  tokens.admin = await topology.token(Role.MINISTRY_ADMIN);
  tokens.panel = await topology.token(Role.PANEL_MEMBER);
});

afterAll(async () => {
  await topology?.stop();
  server?.closeAllConnections();
  server?.close();
});

const REGISTER = `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id identifier
  resources { downloadUrl personalData { encoding findings { column kind count samples exempted } error } } } } }`;

function register(identifier: string, paths: string[], format = "CSV") {
  return topology.query<{ registerDataset: { dataset: { id: string; resources: { personalData: { encoding: string | null; findings: unknown[]; error: string | null } }[] } } }>(
    REGISTER,
    {
      input: {
        agencyCode: "ACA",
        identifier,
        title: `去識別化 ${identifier}`,
        description: "個資掃描測試",
        category: "公共資訊",
        accrualPeriodicity: "每1月",
        resources: paths.map((path) => ({ description: path, format, encoding: "UTF-8", downloadUrl: path.startsWith("http") ? path : `${base}${path}` })),
      },
    },
    tokens.staff,
  );
}

const EXEMPT = `mutation($input: ExemptPersonalDataInput!) { exemptPersonalData(input: $input) {
  exemption { agencyCode reason recordedBy columns { column kind } } findings { column kind count exempted } } }`;
const exempt = (token: string | undefined, path = "/people.csv", format = "CSV") =>
  topology.query<{ exemptPersonalData: { exemption: { reason: string; recordedBy: string; columns: unknown[] }; findings: { column: string; exempted: boolean }[] } }>(
    EXEMPT,
    { input: { agencyCode: "ACA", downloadUrl: `${base}${path}`, format, reason: "本檔為法院公開判決之當事人資料,依法公開" } },
    token,
  );

async function identifiersPublished(identifier: string): Promise<string[]> {
  const response = await topology.query<{ datasetsByIdentifier: { identifier: string }[] }>(
    "query($ids: [String!]!) { datasetsByIdentifier(identifiers: $ids) { identifier } }",
    { ids: [identifier] },
    tokens.staff,
  );
  return response.data!.datasetsByIdentifier.map((dataset) => dataset.identifier);
}

test("a file holding personal data is refused with PERSONAL_DATA_FOUND naming each column; nothing is published", async () => {
  const response = await register("ACA-DEID-1", ["/clean.json", "/people.csv"]);
  expect(response.data).toBeNull();
  const [error] = response.errors!;
  expect(error.extensions?.code).toBe("PERSONAL_DATA_FOUND");
  expect(error.message).toContain('input.resources.1 column "身分證字號": NATIONAL_ID ×2 (e.g. A1******89, B1******80)');
  expect(error.message).toContain('column "電話": MOBILE_PHONE ×1');
  expect(error.message).toContain("exemptPersonalData");
  expect(error.extensions?.findings).toEqual([
    { path: "input.resources.1", downloadUrl: `${base}/people.csv`, column: "身分證字號", kind: "NATIONAL_ID", count: 2, samples: ["A1******89", "B1******80"] },
    { path: "input.resources.1", downloadUrl: `${base}/people.csv`, column: "電話", kind: "MOBILE_PHONE", count: 1, samples: ["0912-***-*78"] },
    { path: "input.resources.1", downloadUrl: `${base}/people.csv`, column: "電話", kind: "LANDLINE_PHONE", count: 1, samples: ["02-23**-**34"] },
  ]);
  expect(await identifiersPublished("ACA-DEID-1")).toEqual([]);
});

test("a file is scanned whatever the spelling of its format (ＣＳＶ, .csv, csv, json檔): personal data is refused, a clean file publishes with its scan", async () => {
  for (const [format, path] of [["ＣＳＶ", "/people.csv"], [".csv", "/people.csv"], ["csv", "/people.csv"], ["json檔", "/people.json"]]) {
    const refused = await register("ACA-DEID-SPELLED", [path], format);
    expect({ format, code: refused.errors?.[0].extensions?.code }).toEqual({ format, code: "PERSONAL_DATA_FOUND" });
    expect(refused.errors![0].message).toContain('column "身分證字號": NATIONAL_ID');
  }
  expect(await identifiersPublished("ACA-DEID-SPELLED")).toEqual([]);
  const clean = await register("ACA-DEID-SPELLED", ["/clean.json"], "json檔");
  expect(clean.errors).toBeUndefined();
  expect(clean.data!.registerDataset.dataset.resources[0].personalData).toEqual({ encoding: "UTF-8", findings: [], error: null });
});

test("only the agency's own CIO may exempt a file: staff, another agency's CIO, the ministry, the panel and the public are FORBIDDEN", async () => {
  for (const token of [tokens.staff, tokens.otherCio, tokens.admin, tokens.panel, undefined]) {
    const response = await exempt(token);
    expect(response.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect(response.data).toBeNull();
  }
  // Nothing was exempted: publishing is still refused.
  expect((await register("ACA-DEID-2", ["/people.csv"])).errors?.[0].extensions?.code).toBe("PERSONAL_DATA_FOUND");
});

test("the CIO's exemption, with a reason, lets the file be published; its scan shows what is there, exempted", async () => {
  const refusedShort = await topology.query(EXEMPT, { input: { agencyCode: "ACA", downloadUrl: `${base}/people.csv`, format: "CSV", reason: "ok" } }, tokens.cio);
  expect(refusedShort.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  const clean = await exempt(tokens.cio, "/clean.json");
  expect(clean.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect(clean.errors?.[0].message).toContain("nothing to exempt");

  // The format in another spelling than the resource's: the same file, exempted.
  const granted = await exempt(tokens.cio, "/people.csv", ".csv");
  expect(granted.errors).toBeUndefined();
  expect(granted.data!.exemptPersonalData.exemption).toMatchObject({ recordedBy: "test-agency_cio", columns: expect.arrayContaining([{ column: "身分證字號", kind: "NATIONAL_ID" }]) });
  expect(granted.data!.exemptPersonalData.findings.every((finding) => finding.exempted)).toBe(true);

  const published = await register("ACA-DEID-3", ["/people.csv"]);
  expect(published.errors).toBeUndefined();
  const scan = published.data!.registerDataset.dataset.resources[0].personalData;
  expect(scan.encoding).toBe("BIG-5");
  expect(scan.findings).toContainEqual({ column: "身分證字號", kind: "NATIONAL_ID", count: 2, samples: ["A1******89", "B1******80"], exempted: true });
  expect(await identifiersPublished("ACA-DEID-3")).toEqual(["ACA-DEID-3"]);
});

test("files without personal data, or not reachable, publish; the scan says which", async () => {
  const published = await register("ACA-DEID-4", ["/clean.json", "https://files.invalid/a.json"], "JSON");
  expect(published.errors).toBeUndefined();
  const [clean, unreachable] = published.data!.registerDataset.dataset.resources.map((resource) => resource.personalData);
  expect(clean).toEqual({ encoding: "UTF-8", findings: [], error: null });
  expect(unreachable.error).toBeTruthy();
});

test("scans are shown to the agency and the ministry only; a refusal nulls that field alone", async () => {
  const query = `query($ids: [String!]!) { datasetsByIdentifier(identifiers: $ids) { identifier resources { personalData { findings { kind } } } } }`;
  const publicView = await topology.query<{ datasetsByIdentifier: { identifier: string; resources: { personalData: unknown }[] }[] }>(query, { ids: ["ACA-DEID-3"] });
  expect(publicView.data!.datasetsByIdentifier[0]).toEqual({ identifier: "ACA-DEID-3", resources: [{ personalData: null }] });
  expect(publicView.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  const adminView = await topology.query<{ datasetsByIdentifier: { resources: { personalData: { findings: unknown[] } }[] }[] }>(query, { ids: ["ACA-DEID-3"] }, tokens.admin);
  expect(adminView.errors).toBeUndefined();
  expect(adminView.data!.datasetsByIdentifier[0].resources[0].personalData.findings.length).toBe(3);
});

test("every quality check scans again: personal data added since the exemption is found and not exempted", async () => {
  files["/service.csv"] = "機關,服務電話\n法務部,(02)2191-0189\n";
  const exemption = await exempt(tokens.cio, "/service.csv");
  expect(exemption.errors).toBeUndefined();
  const published = await register("ACA-DEID-5", ["/service.csv"]);
  expect(published.errors).toBeUndefined();
  files["/service.csv"] = "機關,服務電話,承辦人信箱\n法務部,(02)2191-0189,wang@mail.moj.gov.tw\n";
  const checked = await topology.query(
    "mutation($input: CheckDatasetQualityInput!) { checkDatasetQuality(input: $input) { check { level } } }",
    { input: { agencyCode: "ACA", datasetId: published.data!.registerDataset.dataset.id } },
    tokens.staff,
  );
  expect(checked.errors).toBeUndefined();
  const after = await topology.query<{ datasetsByIdentifier: { resources: { personalData: { findings: { column: string; kind: string; exempted: boolean }[] } }[] }[] }>(
    `query { datasetsByIdentifier(identifiers: ["ACA-DEID-5"]) { resources { personalData { findings { column kind exempted } } } } }`,
    {},
    tokens.staff,
  );
  expect(after.data!.datasetsByIdentifier[0].resources[0].personalData.findings).toEqual([
    { column: "服務電話", kind: "LANDLINE_PHONE", exempted: true },
    { column: "承辦人信箱", kind: "EMAIL", exempted: false },
  ]);
});
