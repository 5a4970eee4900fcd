/**
 * The gateway's side of the console: its build-time documents accepted by id
 * over HTTP and graphql-ws (and nothing else by id), other clients' documents
 * still accepted, the console's files served compressed, and the development
 * sign-in endpoint.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildASTSchema, parse, validate } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { projectRoot } from "../contract/config";
import { startTestTopology, type TestTopology } from "./topology";

const manifest = JSON.parse(readFileSync(join(projectRoot, "dist", "console", "persisted-documents.json"), "utf8")) as Record<string, string>;
const idOf = (name: string) => Object.entries(manifest).find(([, text]) => new RegExp(`^(query|mutation|subscription) ${name}\\b`).test(text))![0];

let topology: TestTopology;
let base: string;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
  base = topology.gateway.url.replace(/\/graphql$/, "");
}, 60_000);

afterAll(async () => {
  await topology?.stop();
});

async function byId(id: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(topology.gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };
}

test("every console document is valid against the supergraph", () => {
  const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
  const api = buildASTSchema(parse(supergraph), { assumeValidSDL: true });
  const problems = Object.values(manifest).flatMap((text) => validate(api, parse(text)).map((error) => `${text.split("(")[0].split("{")[0].trim()}: ${error.message}`));
  expect(problems).toEqual([]);
});

test("a console document is answered by its id; an unknown id is refused; any other client's query still works", async () => {
  const list = await byId(idOf("DatasetList"), { agencyCodes: ["ACA"] });
  expect(list.errors).toBeUndefined();
  expect((list.data!.datasets as { totalCount: number }).totalCount).toBeGreaterThan(0);

  const unknown = await byId("0".repeat(64));
  expect(unknown.errors?.[0].extensions?.code).toBe("PERSISTED_QUERY_NOT_IN_LIST");

  const arbitrary = await topology.query<{ catalogueSummary: { published: number } }>(`{ catalogueSummary(agencyCodes: ["ACA"]) { published } }`);
  expect(arbitrary.errors).toBeUndefined();
  expect(arbitrary.data!.catalogueSummary.published).toBeGreaterThan(0);
});

test("a console subscription is opened by its id over graphql-ws", async () => {
  const client = createClient({ url: topology.gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    const first = await new Promise<Record<string, { type: string }>>((resolveFirst, reject) => {
      client.subscribe<Record<string, { type: string }>>(
        { query: "", variables: { agencyCodes: ["ACA"] }, extensions: { persistedQuery: { version: 1, sha256Hash: idOf("CatalogueEvents") } } },
        { next: (result) => (result.data ? resolveFirst(result.data) : reject(new Error(JSON.stringify(result.errors)))), error: reject, complete: () => undefined },
      );
    });
    // The stream's first message is its position: proof the document was found and the stream opened.
    expect(first.catalogueEvents.type).toBe("STREAM_POSITION");
  } finally {
    await client.dispose();
  }
});

test("the console is served at /, compressed for browsers that accept it", async () => {
  const page = await fetch(`${base}/`);
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await page.text()).toContain('<script type="module" src="/app.js">');
  const script = await fetch(`${base}/app.js`, { headers: { "accept-encoding": "gzip" } });
  expect(script.headers.get("content-encoding")).toBe("gzip");
  expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  expect((await fetch(`${base}/nothing-here.js`)).status).toBe(404);
});

test("development sign-in mints a token for the role and agency asked, and refuses what no user can be", async () => {
  const mint = (body: unknown) => fetch(`${base}/console/dev-token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const minted = await mint({ role: "AGENCY_STAFF", agencyCode: "ACA" });
  expect(minted.status).toBe(200);
  const { token } = (await minted.json()) as { token: string };
  // The token works: staff may write their own agency's shard, not another's.
  const write = (agencyCode: string) =>
    topology.query(`mutation($i: RegisterDatasetInput!) { registerDataset(input: $i) { dataset { id } } }`, {
      i: { agencyCode, identifier: `${agencyCode}-DEV-1`, title: "t", description: "d", category: "公共資訊", accrualPeriodicity: "每1年" },
    }, token);
  expect((await write("ACA")).errors).toBeUndefined();
  expect((await mint({ role: "AGENCY_CIO" })).status).toBe(400);
  expect((await mint({ role: "ROOT" })).status).toBe(400);
  expect((await mint({ role: "MINISTRY_ADMIN", agencyCode: "ACA" })).status).toBe(400);
});
