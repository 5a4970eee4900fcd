/**
 * A shard that hangs past the timeout costs only its own part of the answer,
 * of an event stream or of a download; so does a ministry subgraph that hangs
 * or cannot be reached, to a query, a write or a subscription.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { issueDevToken } from "../gateway/auth";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { CLAIMS_HEADER, Role, signClaims } from "../contract/claims";
import { loadSecrets, projectRoot } from "../contract/config";
import { METRIC } from "../contract/metrics";
import { parseMetrics, total } from "../contract/metrics-reading";
import { freePort } from "../contract/listen";
import { instanceEndpoint } from "../contract/topology";
import { dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { until } from "./eventually";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `p${randomBytes(4).toString("hex")}`;
/** Long enough for MOJ's warm shard on a loaded CI machine, short enough for the tests that wait it out. */
const TIMEOUT_MS = 1000;
let moj: RunningInstance;
let hanging: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  moj = await startInstance(subgraphs.catalogue, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, port: 0 });
  // Accepts every request and never answers.
  hanging = createServer(() => undefined);
  await new Promise<void>((resolveListen) => hanging.listen(0, "127.0.0.1", resolveListen));
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`;
  gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    // Advisory hangs as ACA's shard does; nothing listens where metrics should be.
    topology: { subgraphs: { advisory: hangingUrl, metrics: `http://127.0.0.1:${await freePort()}/graphql` }, shards: { catalogue: { MOJ: moj.url, ACA: hangingUrl }, feedback: {} } },
    port: 0,
    shardTimeoutMs: TIMEOUT_MS,
  });
  // MOJ's first answer (a cold process on a loaded machine) could itself take longer than the timeout: these tests are about ACA.
  const claims = await signClaims({ sub: "warm-up", role: Role.MINISTRY_ADMIN }, loadSecrets().internalSecret, 60);
  await fetch(moj.url, { method: "POST", headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims }, body: JSON.stringify({ query: "{ catalogueSummary { datasets } }" }) });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  hanging?.closeAllConnections();
  hanging?.close();
  await moj?.stop();
  await dropDatabases(serverUrl(), prefix);
});

async function query(text: string) {
  const token = await issueDevToken({ sub: "admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text }),
  });
  return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
}

test("a fanned-out field answers from the other shards, with an error naming the hanging one", async () => {
  const [row] = await moj.orm.em.fork().getConnection().execute<{ count: string }[]>(
    "select count(*)::text as count from dataset where issued <= current_date",
  );
  const response = await query("{ catalogueSummary { datasets } }");
  expect(response.data).toEqual({ catalogueSummary: { datasets: Number(row.count) } });
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0].extensions).toMatchObject({ code: "SHARD_UNAVAILABLE", agencyCode: "ACA", subgraph: "catalogue" });
  expect(response.errors![0].message).toContain(`${TIMEOUT_MS} ms`);
});

test("a field routed to the hanging shard is null with the error at its path; the rest of the query stands", async () => {
  const response = await query(`{
    aca: dataset(agencyCode: "ACA", id: "00000000-0000-0000-0000-000000000000") { title }
    moj: datasetsByIdentifier(identifiers: ["MOJ-000001"], agencyCodes: ["MOJ"]) { identifier }
  }`);
  expect(response.data).toEqual({ aca: null, moj: [{ identifier: "MOJ-000001" }] });
  expect(response.errors).toEqual([expect.objectContaining({ path: ["aca"], extensions: expect.objectContaining({ code: "SHARD_UNAVAILABLE", agencyCode: "ACA" }) })]);
});

test("the gateway's metrics count the hanging shard's calls as timed out or refused, the other's, and the partial answers by their error", async () => {
  const samples = parseMetrics(await (await fetch(instanceEndpoint(gateway.url, "metrics"))).text());
  const calls = (agency: string, outcome: string) => total(samples, METRIC.shardCalls, (l) => l.subgraph === "catalogue" && l.agency === agency && l.outcome === outcome);
  // MOJ's outcomes depend on how loaded the machine is (a cold first call may pass the short timeout); its count does not.
  // ACA's first call times out; a later one may be refused unsent, once the health checks see ACA down.
  expect({
    acaTimedOut: calls("ACA", "timeout") >= 1,
    acaUnanswered: calls("ACA", "timeout") + calls("ACA", "refused"),
    acaAnswered: calls("ACA", "ok") + calls("ACA", "error"),
    moj: calls("MOJ", "ok") + calls("MOJ", "error") + calls("MOJ", "timeout") + calls("MOJ", "refused"),
  }).toEqual({ acaTimedOut: true, acaUnanswered: 2, acaAnswered: 0, moj: 2 });
  expect(total(samples, METRIC.requests, (l) => l.outcome === "SHARD_UNAVAILABLE")).toBe(2);
});

test("a ministry subgraph that cannot be reached fails only the fields it serves, with SUBGRAPH_UNAVAILABLE naming it", async () => {
  const response = await query('{ agency(code: "MOJ") { name } catalogueSummary(agencyCodes: ["MOJ"]) { datasets } }');
  expect(response.data).toEqual({ agency: null, catalogueSummary: { datasets: expect.any(Number) } });
  expect(response.errors).toEqual([expect.objectContaining({ path: ["agency"], extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", subgraph: "metrics" }) })]);
  expect(response.errors![0].message).toMatch(/metrics subgraph is unavailable: it could not be reached.*ask again shortly/);
});

test("a subscription to a ministry subgraph that cannot be reached ends with SUBGRAPH_UNAVAILABLE, not the subgraph's address", async () => {
  const token = await issueDevToken({ sub: "admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
  const client = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  try {
    const received = await new Promise<unknown[]>((resolveEnd, rejectEnd) => {
      const results: unknown[] = [];
      client.subscribe({ query: "subscription { progressChanged { cause } }" }, { next: (result) => results.push(result), error: rejectEnd, complete: () => resolveEnd(results) });
    });
    expect(received).toEqual([{ data: null, errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", subgraph: "metrics" }) })] }]);
    expect(JSON.stringify(received)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  } finally {
    await client.dispose();
  }
});

test("a ministry subgraph that does not answer in time fails its fields once the timeout has passed, and the rest of the answer stands", async () => {
  const response = await query('{ currentPanelTerm { id } catalogueSummary(agencyCodes: ["MOJ"]) { datasets } }');
  expect(response.data).toEqual({ currentPanelTerm: null, catalogueSummary: { datasets: expect.any(Number) } });
  expect(response.errors).toEqual([
    expect.objectContaining({ path: ["currentPanelTerm"], extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", subgraph: "advisory" }) }),
  ]);
  expect(response.errors![0].message).toContain(`no answer within ${TIMEOUT_MS} ms`);
});

test("a write to a ministry subgraph that does not answer in time tells the client to read it back before making it again", async () => {
  const response = await query('mutation { endPanelTerm(input: { termId: "00000000-0000-0000-0000-000000000000" }) { term { id } } }');
  expect(response.data).toBeNull();
  expect(response.errors).toEqual([expect.objectContaining({ path: ["endPanelTerm"], extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", subgraph: "advisory" }) })]);
  expect(response.errors![0].message).toContain("read it back before making it again");
});

test("the gateway's metrics count each call to a ministry subgraph by its outcome, a read asked twice as one call", async () => {
  const samples = parseMetrics(await (await fetch(instanceEndpoint(gateway.url, "metrics"))).text());
  const calls = (subgraph: string, outcome: string) => total(samples, METRIC.subgraphCalls, (l) => l.subgraph === subgraph && l.outcome === outcome);
  // The tests above: one query that reached no metrics subgraph (asked twice); advisory's query and write, timed out.
  expect({ metricsError: calls("metrics", "error"), advisoryTimeout: calls("advisory", "timeout"), answered: calls("metrics", "ok") + calls("advisory", "ok") }).toEqual({
    metricsError: 1,
    advisoryTimeout: 2,
    answered: 0,
  });
  expect(samples.filter((sample) => sample.name === `${METRIC.subgraphCallDuration}_count`).map((sample) => [sample.labels.subgraph, sample.value])).toEqual(
    expect.arrayContaining([
      ["metrics", 1],
      ["advisory", 2],
    ]),
  );
});

test("a subscriber to every agency's events gets the others' events while one shard hangs, with one error naming it", async () => {
  const token = await issueDevToken({ sub: "admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
  const client = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const events: { agencyCode: string | null; type: string; subjectId: string }[] = [];
  const errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  const stop = client.subscribe<{ catalogueEvents: (typeof events)[number] }>(
    { query: "subscription { catalogueEvents { agencyCode type subjectId } }" },
    { next: (result) => (result.data ? events.push(result.data.catalogueEvents) : errors.push(...(result.errors ?? []))), error: (error) => errors.push(error as never), complete: () => undefined },
  );
  try {
    await until(() => events.some((event) => event.type === "STREAM_POSITION"), "the subscriber's position", 30_000);
    const subjectId = `hang-${randomBytes(4).toString("hex")}`;
    await moj.orm.em.fork().getConnection().execute("insert into outbox_event (id, type, subject_id, payload) values (gen_random_uuid(), 'DatasetPublished', ?, '{}')", [subjectId]);
    await until(() => events.some((event) => event.subjectId === subjectId), "MOJ's event", 30_000);
    expect(events.find((event) => event.subjectId === subjectId)).toEqual({ agencyCode: "MOJ", type: "DatasetPublished", subjectId });
    expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "SHARD_UNAVAILABLE", agencyCode: "ACA", subgraph: "catalogue" }) })]);
    expect(errors[0].message).toContain(`no answer within ${TIMEOUT_MS} ms`);
  } finally {
    stop();
    await client.dispose();
  }
});

test("a download from a shard that does not answer ends with SHARD_UNAVAILABLE once the timeout has passed", async () => {
  const response = await fetch(`${gateway.url.replace(/\/graphql$/, "")}/datastore/dump/ACA/00000000-0000-0000-0000-000000000000`);
  expect(response.status).toBe(503);
  const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: "SHARD_UNAVAILABLE" } })]);
  expect(body.errors[0].message).toContain(`gave no answer within ${TIMEOUT_MS} ms`);
});

test("a subscription to a ministry subgraph that takes the socket and never answers ends with SUBGRAPH_UNAVAILABLE, and the gateway still stops at once", async () => {
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`;
  const second = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: { advisory: hangingUrl, metrics: hangingUrl }, shards: { catalogue: { MOJ: moj.url }, feedback: {} } },
    port: 0,
    shardTimeoutMs: TIMEOUT_MS,
  });
  const token = await issueDevToken({ sub: "admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
  const client = createClient({ url: second.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const subscribe = () => {
    const results: { errors?: { message: string; extensions?: Record<string, unknown> }[] }[] = [];
    const ended = new Promise<typeof results>((resolveEnd, rejectEnd) => {
      client.subscribe({ query: "subscription { progressChanged { cause } }" }, { next: (result) => results.push(result as never), error: rejectEnd, complete: () => resolveEnd(results) });
    });
    return ended;
  };
  try {
    expect(await subscribe()).toEqual([{ data: null, errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", subgraph: "metrics" }) })] }]);
    // Another, still waiting for the subgraph when the gateway is asked to stop.
    void subscribe().catch(() => undefined);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
    const stopping = second.stop().then(() => "stopped");
    expect(await Promise.race([stopping, new Promise((resolveLate) => setTimeout(() => resolveLate("still stopping after 5 s"), 5000))])).toBe("stopped");
  } finally {
    await client.dispose();
    await second.stop();
  }
});
