/**
 * The harvestable catalogue through a real gateway over real shards: the
 * seeded catalogue of three agencies as DCAT-AP 3 (Turtle and JSON-LD),
 * validated against the official SHACL shapes (test/dcat-ap/), and as the
 * CKAN action API, read the way CKAN clients read it: ckanapi's RemoteCKAN
 * (POST of a JSON body, success/error envelope, error types) and
 * ckanext-harvest's CKAN harvester (GET package_search, start += rows until
 * an empty page). No CKAN client package can be installed here (none on npm
 * or Debian), so ckanClient below does what they do, per CKAN's API docs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Parser } from "n3";
import { Role } from "../contract/claims";
import { projectRoot } from "../contract/config";
import { startTestTopology, type TestTopology } from "./topology";

const AGENCIES = ["ACA", "AAC", "AJ"];
let topology: TestTopology;
let base: string;
let dir: string;
let full: { id: string; identifier: string };

const FULL_INPUT = {
  agencyCode: "AJ",
  identifier: "AJ-HARVEST-1",
  title: "司法官學員結訓人數",
  description: "各期司法官學員結訓人數，按性別分列。",
  category: "公共資訊",
  accrualPeriodicity: "每3分",
  organization: "法務部司法官學院",
  landingPage: "https://www.tpi.moj.gov.tw/open-data",
  contactName: "王小明",
  contactPhone: "02-2733-1047",
  temporalCoverageFrom: "2015-01-01",
  temporalCoverageTo: "2017-12-31",
  spatial: "臺灣",
  language: "zh-TW",
  keywords: ["司法官", "結訓"],
  fieldDescription: "期別(結訓期別);人數(結訓人數)",
  resources: [
    { description: "結訓人數", format: "CSV", encoding: "BIG5", downloadUrl: "https://opendata.aj.example.gov.tw/files/graduates.csv" },
    { description: "結訓人數 API", format: "Shapefile", downloadUrl: "https://opendata.aj.example.gov.tw/api/graduates" },
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "govgraph-harvest-"));
  topology = await startTestTopology(AGENCIES);
  base = new URL(topology.gateway.url).origin;
  const staff = await topology.token(Role.AGENCY_STAFF, "AJ");
  const registered = await topology.query<{ registerDataset: { dataset: { id: string; identifier: string } } }>(
    "mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { dataset { id identifier } } }",
    { i: FULL_INPUT },
    staff,
  );
  expect(registered.errors).toBeUndefined();
  full = registered.data!.registerDataset.dataset;
}, 180_000);

afterAll(async () => {
  await topology?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every published dataset's identifier, as the public reads them through GraphQL. */
async function publishedIdentifiers(agencyCodes = AGENCIES): Promise<string[]> {
  const identifiers: string[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = { datasets: { edges: { node: { identifier: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const page: { data?: Page | null } = await topology.query<Page>(
      "query($after: String, $codes: [ID!]) { datasets(first: 100, after: $after, state: PUBLISHED, agencyCodes: $codes) { edges { node { identifier } } pageInfo { hasNextPage endCursor } } }",
      { after, codes: agencyCodes },
    );
    identifiers.push(...page.data!.datasets.edges.map((edge) => edge.node.identifier));
    if (!page.data!.datasets.pageInfo.hasNextPage) return identifiers.sort();
    after = page.data!.datasets.pageInfo.endCursor;
  }
}

interface ShaclReport {
  triples: number;
  conforms: boolean;
  results: { severity: string; focusNode: string; path: string; message: string }[];
}

async function validate(name: string, body: string): Promise<ShaclReport> {
  const file = join(dir, name);
  writeFileSync(file, body);
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, "test", "dcat-ap", "validate.mjs"), file], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ShaclReport;
}

const DCAT = "http://www.w3.org/ns/dcat#";
const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

function datasetIris(turtle: string): string[] {
  return new Parser()
    .parse(turtle)
    .filter((quad) => quad.predicate.value === RDF_TYPE && quad.object.value === `${DCAT}Dataset`)
    .map((quad) => quad.subject.value);
}

describe("DCAT-AP 3", () => {
  let turtle: string;

  beforeAll(async () => {
    const response = await fetch(`${base}/dcat/catalog.ttl`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/turtle; charset=utf-8");
    turtle = await response.text();
  }, 120_000);

  test("the whole catalogue in Turtle conforms to the DCAT-AP 3 shapes, every published dataset in it once", async () => {
    const report = await validate("catalog.ttl", turtle);
    expect(report.results).toEqual([]);
    expect(report.conforms).toBe(true);
    const iris = datasetIris(turtle);
    expect(new Set(iris).size).toBe(iris.length);
    const identifiers = await publishedIdentifiers();
    expect(identifiers.length).toBeGreaterThan(300);
    expect(iris.map((iri) => decodeURIComponent(iri.split("/").at(-1)!)).sort()).toEqual(identifiers);
  }, 240_000);

  test("the whole catalogue in JSON-LD conforms too and states the same graph", async () => {
    const response = await fetch(`${base}/dcat/catalog.jsonld`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/ld+json; charset=utf-8");
    const body = await response.text();
    const document = JSON.parse(body) as { "@graph": { "@id": string; "@type": string | string[] }[] };
    expect(document["@graph"].filter((node) => node["@type"] === "dcat:Dataset")).toHaveLength(datasetIris(turtle).length);
    const report = await validate("catalog.jsonld", body);
    expect(report.results).toEqual([]);
    expect(report.conforms).toBe(true);
    expect(report.triples).toBe(new Parser().parse(turtle).length);
  }, 240_000);

  test("a dataset's national metadata is mapped to DCAT-AP's classes and shared vocabularies", async () => {
    const response = await fetch(`${base}/dcat/catalog.ttl?organization=aj`);
    const quads = new Parser().parse(await response.text());
    const iri = `${base}/dcat/datasets/AJ/AJ-HARVEST-1`;
    const about = (subject: string) => quads.filter((quad) => quad.subject.value === subject);
    const values = (subject: string, predicate: string) =>
      about(subject)
        .filter((quad) => quad.predicate.value === predicate)
        .map((quad) => (quad.object.termType === "Literal" && quad.object.language ? `${quad.object.value}@${quad.object.language}` : quad.object.value))
        .sort();
    const dct = "http://purl.org/dc/terms/";
    expect(values(iri, `${dct}title`)).toEqual(["司法官學員結訓人數@zh-hant"]);
    expect(values(iri, `${DCAT}keyword`)).toEqual(["司法官@zh-hant", "結訓@zh-hant"]);
    expect(values(iri, `${dct}publisher`)).toEqual(["urn:oid:2.16.886.101.20003.20006.20144"]);
    expect(values(iri, `${dct}language`)).toEqual(["http://publications.europa.eu/resource/authority/language/ZHO"]);
    expect(values(iri, `${dct}accrualPeriodicity`)).toEqual([`${base}/dcat/frequencies/${encodeURIComponent("每3分")}`]);
    expect(values(iri, `${DCAT}landingPage`)).toEqual(["https://www.tpi.moj.gov.tw/open-data"]);
    expect(values(`${iri}#temporal`, `${DCAT}startDate`)).toEqual(["2015-01-01"]);
    expect(values(`${iri}#contact`, "http://www.w3.org/2006/vcard/ns#hasTelephone")).toEqual(["tel:0227331047"]);
    const [csv, api] = [`${iri}/distributions/AJ-HARVEST-1-001`, `${iri}/distributions/AJ-HARVEST-1-002`];
    expect(values(csv, `${dct}format`)).toEqual(["http://publications.europa.eu/resource/authority/file-type/CSV"]);
    expect(values(csv, `${DCAT}mediaType`)).toEqual(["https://www.iana.org/assignments/media-types/text/csv"]);
    expect(values(csv, `${dct}license`)).toEqual(["https://data.gov.tw/license"]);
    expect(values(csv, "http://www.w3.org/2011/content#characterEncoding")).toEqual(["BIG-5"]);
    // A format no shared table knows keeps its own words.
    expect(values(api, `${dct}format`)).toEqual([`${base}/dcat/formats/SHAPEFILE`]);
    expect(values(`${base}/dcat/frequencies/${encodeURIComponent("每3分")}`, "http://www.w3.org/2004/02/skos/core#prefLabel")).toEqual(["每3分@zh-hant"]);
    // The agency filter: only AJ's datasets.
    const iris = quads.filter((quad) => quad.predicate.value === RDF_TYPE && quad.object.value === `${DCAT}Dataset`).map((quad) => quad.subject.value);
    expect(iris.length).toBe((await publishedIdentifiers(["AJ"])).length);
    expect(iris.every((subject) => subject.startsWith(`${base}/dcat/datasets/AJ/`))).toBe(true);
  }, 60_000);

  test("a dataset's IRI dereferences to its description, in Turtle or, when asked, JSON-LD", async () => {
    const iri = `${base}/dcat/datasets/AJ/AJ-HARVEST-1`;
    const turtle = await fetch(iri);
    expect(turtle.headers.get("content-type")).toBe("text/turtle; charset=utf-8");
    const quads = new Parser().parse(await turtle.text());
    expect(quads.filter((quad) => quad.predicate.value === RDF_TYPE && quad.object.value === `${DCAT}Dataset`).map((quad) => quad.subject.value)).toEqual([iri]);
    const jsonLd = await fetch(iri, { headers: { accept: "application/ld+json" } });
    expect(jsonLd.headers.get("content-type")).toBe("application/ld+json; charset=utf-8");
    expect(((await jsonLd.json()) as { "@graph": { "@id": string }[] })["@graph"].map((node) => node["@id"])).toContain(iri);
    expect((await fetch(`${base}/dcat/datasets/ACA/AJ-HARVEST-1`)).status).toBe(404);
  }, 60_000);

  test("page by page: each page links the next by its keyset cursor, and the pages hold every dataset once", async () => {
    const seen: string[] = [];
    let next: string | undefined = `${base}/dcat/catalog.jsonld?limit=100`;
    let pages = 0;
    while (next) {
      const page = (await (await fetch(next)).json()) as { "@graph": Record<string, unknown>[] };
      pages += 1;
      const view = page["@graph"].find((node) => node["@type"] === "hydra:PartialCollectionView");
      expect(view).toBeDefined();
      seen.push(...page["@graph"].filter((node) => node["@type"] === "dcat:Dataset").map((node) => node["dct:identifier"] as string));
      next = (view!["hydra:next"] as { "@id": string } | undefined)?.["@id"];
    }
    const identifiers = await publishedIdentifiers();
    expect(pages).toBe(Math.ceil(identifiers.length / 100));
    expect(seen.sort()).toEqual(identifiers);
  }, 120_000);
});

/** What a CKAN client sees of one action: the HTTP status and CKAN's envelope. */
interface CkanAnswer<T> {
  status: number;
  body: { help: string; success: boolean; result?: T; error?: { __type: string; message?: string } & Record<string, unknown> };
}

/**
 * Calls an action as CKAN clients do: ckanapi's RemoteCKAN POSTs the
 * parameters as a JSON body; ckanext-harvest's harvester GETs with a query string.
 */
async function ckan<T>(action: string, params: Record<string, unknown> = {}, method: "POST" | "GET" = "POST"): Promise<CkanAnswer<T>> {
  const url = new URL(`${base}/api/3/action/${action}`);
  if (method === "GET") for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const response = await fetch(url, method === "POST" ? { method, headers: { "content-type": "application/json" }, body: JSON.stringify(params) } : {});
  return { status: response.status, body: (await response.json()) as CkanAnswer<T>["body"] };
}

interface Package {
  id: string;
  name: string;
  title: string;
  notes: string;
  owner_org: string;
  organization: { name: string; title: string };
  license_id: string;
  metadata_modified: string;
  tags: { name: string }[];
  resources: { id: string; format: string; url: string; mimetype: string | null; encoding: string }[];
  extras: { key: string; value: string }[];
}
interface SearchResult {
  count: number;
  results: Package[];
}

describe("CKAN action API", () => {
  test("a harvester pages package_search (start += rows until an empty page) and gets every published dataset once", async () => {
    const names: string[] = [];
    let count = -1;
    for (let start = 0; ; start += 100) {
      const { status, body } = await ckan<SearchResult>("package_search", { q: "", rows: 100, start, sort: "id asc" }, "GET");
      expect(status).toBe(200);
      expect(body.success).toBe(true);
      count = body.result!.count;
      if (body.result!.results.length === 0) break;
      names.push(...body.result!.results.map((dataset) => dataset.name));
    }
    const identifiers = await publishedIdentifiers();
    expect(count).toBe(identifiers.length);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(identifiers.map((identifier) => identifier.toLowerCase()).sort());
  }, 120_000);

  test("package_search pages that skip ahead, filter by organization and search text answer as CKAN does", async () => {
    const all = await ckan<SearchResult>("package_search", { rows: 1000, sort: "metadata_created asc" });
    const skipped = await ckan<SearchResult>("package_search", { rows: 7, start: 250, sort: "metadata_created asc" });
    expect(skipped.body.result!.results.map((dataset) => dataset.id)).toEqual(all.body.result!.results.slice(250, 257).map((dataset) => dataset.id));

    const aac = await ckan<SearchResult>("package_search", { fq: "organization:aac", rows: 1000 });
    expect(aac.body.result!.count).toBe((await publishedIdentifiers(["AAC"])).length);
    expect(aac.body.result!.results.every((dataset) => dataset.organization.name === "aac" && dataset.owner_org === "2.16.886.101.20003.20006.20138")).toBe(true);
    const notAac = await ckan<SearchResult>("package_search", { fq: "-organization:aac", rows: 0 });
    expect(notAac.body.result!.count).toBe(all.body.result!.count - aac.body.result!.count);

    const found = await ckan<SearchResult>("package_search", { q: "結訓人數" });
    expect(found.body.result!.results.map((dataset) => dataset.name)).toEqual(["aj-harvest-1"]);
  }, 120_000);

  test("an incremental harvest asks for datasets modified since its last run", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString().replace("Z", "");
    const changed = await ckan<SearchResult>("package_search", { fq: `metadata_modified:[${since}Z TO *]`, rows: 100, sort: "id asc" }, "GET");
    expect(changed.status).toBe(200);
    expect(changed.body.result!.count).toBe(1);
    expect(changed.body.result!.results.map((dataset) => dataset.name)).toEqual(["aj-harvest-1"]);
  }, 60_000);

  test("package_show finds a dataset by name, national identifier or id, with its resources and the standard's fields", async () => {
    const byName = await ckan<Package>("package_show", { id: "aj-harvest-1" });
    expect(byName.status).toBe(200);
    const dataset = byName.body.result!;
    expect(dataset).toMatchObject({
      id: full.id,
      name: "aj-harvest-1",
      title: FULL_INPUT.title,
      notes: FULL_INPUT.description,
      license_id: "OGDL-Taiwan-1.0",
      organization: { name: "aj", title: "法務部司法官學院" },
      tags: [{ name: "司法官" }, { name: "結訓" }],
    });
    expect(dataset.metadata_modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(dataset.resources.map((resource) => [resource.format, resource.mimetype, resource.encoding, resource.url])).toEqual([
      ["CSV", "text/csv", "BIG-5", FULL_INPUT.resources[0].downloadUrl],
      ["SHAPEFILE", null, "UTF-8", FULL_INPUT.resources[1].downloadUrl],
    ]);
    expect(dataset.extras).toEqual(
      expect.arrayContaining([
        { key: "identifier", value: "AJ-HARVEST-1" },
        { key: "accrualPeriodicity", value: "每3分" },
        { key: "fieldDescription", value: FULL_INPUT.fieldDescription },
        { key: "publisherOID", value: "2.16.886.101.20003.20006.20144" },
      ]),
    );
    expect((await ckan<Package>("package_show", { id: "AJ-HARVEST-1" }, "GET")).body.result!.id).toBe(full.id);
    expect((await ckan<Package>("package_show", { id: full.id })).body.result!.name).toBe("aj-harvest-1");
  }, 60_000);

  test("an unknown dataset is CKAN's Not Found Error with HTTP 404", async () => {
    for (const id of ["no-such-dataset", "00000000-0000-4000-8000-000000000000"]) {
      const { status, body } = await ckan("package_show", { id });
      expect(status).toBe(404);
      expect(body).toMatchObject({ success: false, error: { __type: "Not Found Error" } });
      expect(body.result).toBeUndefined();
    }
    const missing = await ckan("package_show", {});
    expect(missing.status).toBe(409);
    expect(missing.body.error).toMatchObject({ __type: "Validation Error", id: ["Missing value"] });
  }, 60_000);

  test("package_list and organization_list give what a harvester enumerates", async () => {
    const list = await ckan<string[]>("package_list", {}, "GET");
    expect(list.body.result!.sort()).toEqual((await publishedIdentifiers()).map((identifier) => identifier.toLowerCase()).sort());
    const limited = await ckan<string[]>("package_list", { limit: 5, offset: 2 });
    expect(limited.body.result).toHaveLength(5);
    const organizations = await ckan<string[]>("organization_list", {}, "GET");
    expect(organizations.body.result).toEqual(["moj", "mjib", "spo", "ifm", "aea", "thpo", "aca", "aac", "aj"]);
    const detailed = await ckan<{ name: string; id: string; title: string }[]>("organization_list", { all_fields: true });
    expect(detailed.body.result![6]).toMatchObject({ name: "aca", id: "2.16.886.101.20003.20006.20137", title: "法務部矯正署" });
    expect((await ckan("organization_show", { id: "aca" })).status).toBe(200);
  }, 120_000);

  test("what the API cannot answer is refused in CKAN's words, never widened", async () => {
    const unknown = await ckan("package_patch", { id: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.success).toBe(false);
    const unsupported = await ckan("package_search", { fq: "groups:justice" });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error).toMatchObject({ __type: "Search Query Error" });
    const badRows = await ckan("package_search", { rows: 5000 });
    expect(badRows.status).toBe(409);
    expect(badRows.body.error).toMatchObject({ __type: "Validation Error", rows: [expect.any(String)] });
    // package_list's parameters are refused by their own names, not package_search's.
    const badOffset = await ckan("package_list", { offset: -1 });
    expect(badOffset.status).toBe(409);
    expect(badOffset.body.error).toMatchObject({ __type: "Validation Error", message: expect.stringMatching(/^offset must be/), offset: [expect.any(String)] });
    const badLimit = await ckan("package_list", { limit: "abc" });
    expect(badLimit.body.error).toMatchObject({ message: expect.stringMatching(/^limit must be/), limit: [expect.any(String)] });
  });

  test("a DCAT page asked with a cursor it never gave is a bad request (400), as a bad limit is", async () => {
    for (const query of ["limit=10&after=garbage", "limit=abc"]) {
      const response = await fetch(`${base}/dcat/catalog.jsonld?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(((await response.json()) as { error: string }).error).toEqual(expect.any(String));
    }
  });
});

test("with an agency's shard down, the harvest fails rather than leaving that agency out", async () => {
  await topology.instances.get("catalogue:AAC")!.stop();
  topology.instances.delete("catalogue:AAC");
  const search = await ckan("package_search", { rows: 10 });
  expect(search.status).toBe(503);
  expect(search.body.error).toMatchObject({ __type: "Service Unavailable" });
  expect(search.body.error!.message).toContain("AAC");
  // The catalogue is streamed agency by agency (ACA, AAC, AJ): ACA's datasets are on their way when AAC fails,
  // so the transfer is broken off rather than completed without AAC.
  const dcat = await fetch(`${base}/dcat/catalog.ttl`).then(async (response) =>
    response.status === 200 ? response.text().then(() => "complete", () => "broken off") : `HTTP ${response.status}`,
  );
  expect(dcat).toBe("broken off");
}, 60_000);
