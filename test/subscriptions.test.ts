/**
 * Subscriptions fanned in across shards: every event once, in per-shard
 * order, while one shard process is killed and restarted mid-stream; and a
 * client that comes back with its cursor receives exactly what it missed.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client as PgClient } from "pg";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { issueDevToken } from "../gateway/auth";
import { encodeGatewayCursor } from "../gateway/shard-router/connection";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { Role } from "../subgraphs/kit/claims";
import { loadSecrets, projectRoot } from "../subgraphs/kit/config";
import { databaseName, databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { startShardProcess, type ShardProcess } from "./processes";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `s${randomBytes(4).toString("hex")}`;
let moj: RunningInstance;
let aca: ShardProcess;
let gateway: RunningGateway;
let token: string;

beforeAll(async () => {
  [moj, aca] = await Promise.all([
    startInstance(subgraphs.catalogue, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, port: 0, seed: false }),
    startShardProcess("catalogue:ACA", { serverUrl: serverUrl(), databasePrefix: prefix }),
  ]);
  gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: {}, shards: { catalogue: { MOJ: moj.url, ACA: aca.url }, feedback: {} } },
    port: 0,
  });
  token = await issueDevToken({ sub: "test-admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([moj?.stop(), aca?.stop()]);
  await dropDatabases(serverUrl(), prefix);
});

interface Event {
  cursor: string;
  seq: string;
  agencyCode: string;
  type: string;
  subjectId: string;
}

function subscribe(after: string | null) {
  const client: Client = createClient({
    url: gateway.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const events: Event[] = [];
  const errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  client.subscribe<{ catalogueEvents: Event }>(
    { query: "subscription($after: String) { catalogueEvents(after: $after) { cursor seq agencyCode type subjectId } }", variables: { after } },
    {
      next: (result) => {
        if (result.data) events.push(result.data.catalogueEvents);
        errors.push(...((result.errors ?? []) as typeof errors));
      },
      error: (error) => errors.push({ message: String(error) }),
      complete: () => undefined,
    },
  );
  return { events, errors, close: () => client.dispose() };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
  }
}

let serial = 0;
async function publish(agencyCode: string): Promise<string> {
  serial += 1;
  const staff = await issueDevToken({ sub: "staff", role: Role.AGENCY_STAFF, agencyCode }, loadSecrets());
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${staff}` },
    body: JSON.stringify({
      query: "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
      variables: {
        input: { agencyCode, identifier: `${agencyCode}-S-${serial}`, title: `資料集${serial}`, description: "d", category: "公共資訊", accrualPeriodicity: "每1年" },
      },
    }),
  });
  const body = (await response.json()) as { data?: { registerDataset: { dataset: { id: string } } }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!.registerDataset.dataset.id;
}

/** An event written by another replica of the ACA shard while its process is down (same database). */
async function appendDirectly(agencyCode: string, subjectId: string): Promise<void> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), databaseName("catalogue", agencyCode, prefix)) });
  await client.connect();
  await client.query("insert into outbox_event (id, type, subject_id, payload) values (gen_random_uuid(), 'DatasetRetired', $1, '{}')", [subjectId]);
  await client.end();
}

async function outboxSeqs(agencyCode: string): Promise<string[]> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), databaseName("catalogue", agencyCode, prefix)) });
  await client.connect();
  const { rows } = await client.query<{ seq: string }>("select seq::text from outbox_event order by seq");
  await client.end();
  return rows.map((row) => row.seq);
}

const seqsOf = (events: Event[], agencyCode: string) => events.filter((e) => e.agencyCode === agencyCode).map((e) => e.seq);

test("every event once, in per-shard order, across a shard killed and restarted mid-stream; resume by cursor", async () => {
  // From the start of both outboxes, so no event can fall between subscribing and producing.
  const live = subscribe(encodeGatewayCursor({ MOJ: "0", ACA: "0" }));
  for (let round = 0; round < 4; round++) {
    await publish("MOJ");
    await publish("ACA");
  }
  await until(() => live.events.length === 8, "the first 8 events");

  await aca.kill();
  const retired = await publish("MOJ");
  await appendDirectly("ACA", retired);
  await appendDirectly("ACA", retired);
  await publish("MOJ");
  await aca.restart();
  await publish("ACA");
  await publish("MOJ");

  const expectedMoj = await outboxSeqs("MOJ");
  const expectedAca = await outboxSeqs("ACA");
  expect(expectedMoj).toHaveLength(7);
  expect(expectedAca).toHaveLength(7);
  await until(() => live.events.length >= 14, "all 14 events after the restart");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
  expect(seqsOf(live.events, "MOJ")).toEqual(expectedMoj);
  expect(seqsOf(live.events, "ACA")).toEqual(expectedAca);
  expect(live.errors.some((e) => e.extensions?.code === "SHARD_UNAVAILABLE" && e.extensions?.agencyCode === "ACA")).toBe(true);

  // The client goes away; events happen; it comes back with the cursor of the last event it saw.
  const lastCursor = live.events.at(-1)!.cursor;
  await live.close();
  await publish("ACA");
  await publish("MOJ");
  await publish("ACA");
  const resumed = subscribe(lastCursor);
  await until(() => resumed.events.length >= 3, "the 3 missed events");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
  expect(seqsOf(resumed.events, "MOJ")).toEqual((await outboxSeqs("MOJ")).slice(7));
  expect(seqsOf(resumed.events, "ACA")).toEqual((await outboxSeqs("ACA")).slice(7));
  expect(resumed.events).toHaveLength(3);
  expect(resumed.errors).toEqual([]);
  await resumed.close();
}, 90_000);

test("a subscriber without a cursor gets what happens after it subscribed, nothing before", async () => {
  const before = new Set([...(await outboxSeqs("MOJ")).map((seq) => `MOJ/${seq}`), ...(await outboxSeqs("ACA")).map((seq) => `ACA/${seq}`)]);
  const live = subscribe(null);
  // The gateway opens the shard streams as the subscription starts; give them a moment to take their positions.
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
  await publish("ACA");
  await publish("MOJ");
  await until(() => live.events.length >= 2, "2 new events");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  for (const code of ["ACA", "MOJ"]) {
    expect(seqsOf(live.events, code)).toEqual((await outboxSeqs(code)).filter((seq) => !before.has(`${code}/${seq}`)));
  }
  expect(live.events).toHaveLength(2);
  await live.close();
});
