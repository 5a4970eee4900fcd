/**
 * Multiplexed event streams at one gateway: 1,000 subscribers share one
 * upstream stream per shard and event kind (counted at the shards), each
 * receives every event of a concurrent write stream once, in per-shard
 * order; a subscriber resuming from a cursor older than the gateway's
 * window (GOVGRAPH_EVENT_WINDOW=20 here) gets exactly the events it missed.
 */
import "./event-fan-out-env";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { Client as PgClient } from "pg";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { issueDevToken } from "../gateway/auth";
import { decodeGatewayCursor } from "../gateway/shard-router/connection";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { Role } from "../contract/claims";
import { loadSecrets, projectRoot } from "../contract/config";
import { databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { until } from "./eventually";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `f${randomBytes(4).toString("hex")}`;
const CODES = ["MOJ", "ACA"] as const;
const KINDS = [
  { subgraph: "catalogue", field: "catalogueEvents", type: "DatasetPublished" },
  { subgraph: "feedback", field: "feedbackEvents", type: "FeedbackReceived" },
] as const;
const shards: Record<string, Record<string, RunningInstance>> = { catalogue: {}, feedback: {} };
let gateway: RunningGateway;
let token: string;
const clients: Client[] = [];
/** Events each shard writes in the 1,000-subscriber test. */
const PER_SHARD = 8;

beforeAll(async () => {
  await Promise.all(
    KINDS.flatMap(({ subgraph }) =>
      CODES.map(async (agencyCode) => {
        shards[subgraph][agencyCode] = await startInstance(subgraphs[subgraph], { agencyCode, serverUrl: serverUrl(), databasePrefix: prefix, port: 0, seed: false });
      }),
    ),
  );
  const urls = (subgraph: string) => Object.fromEntries(CODES.map((code) => [code, shards[subgraph][code].url]));
  gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: {}, shards: { catalogue: urls("catalogue"), feedback: urls("feedback") } },
    port: 0,
  });
  token = await issueDevToken({ sub: "test-admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway?.stop();
  await Promise.all(Object.values(shards).flatMap((bySubgraph) => Object.values(bySubgraph).map((shard) => shard.stop())));
  await dropDatabases(serverUrl(), prefix);
});

interface Event {
  cursor: string;
  seq: string;
  agencyCode: string | null;
  type: string;
  subjectId: string;
}

function wsClient(): Client {
  const client = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

function subscribe(client: Client, field: string, after: string | null) {
  const messages: Event[] = [];
  const errors: unknown[] = [];
  const stop = client.subscribe<Record<string, Event>>(
    { query: `subscription($after: String) { ${field}(after: $after) { cursor seq agencyCode type subjectId } }`, variables: { after } },
    { next: (result) => (result.data ? messages.push(result.data[field]) : errors.push(...(result.errors ?? []))), error: (error) => errors.push(error), complete: () => undefined },
  );
  const events = () => messages.filter((message) => message.type !== "STREAM_POSITION");
  return { messages, events, errors, stop };
}

async function sql<T>(subgraph: string, agencyCode: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), shards[subgraph][agencyCode].database) });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A write stream: `count` events per shard, written by several transactions at once. */
async function write(subgraph: string, type: string, count: number): Promise<void> {
  await Promise.all(
    CODES.flatMap((agencyCode) =>
      Array.from({ length: 4 }, (_, writer) =>
        sql(
          subgraph,
          agencyCode,
          "insert into outbox_event (id, type, subject_id, payload) select gen_random_uuid(), $1, $2 || '-' || n, '{}' from generate_series(1, $3) as n",
          [type, `${agencyCode}-w${writer}-${randomBytes(2).toString("hex")}`, count / 4],
        ),
      ),
    ),
  );
}

/** Each shard's events as the stream orders them (every committed event numbered first). */
async function outbox(subgraph: string, agencyCode: string): Promise<string[]> {
  await until(async () => (await sql<{ waiting: string }>(subgraph, agencyCode, "select outbox_publish()::text as waiting"))[0].waiting === "0", "every event numbered");
  return (await sql<{ subject_id: string }>(subgraph, agencyCode, "select subject_id from outbox_event order by position")).map((row) => row.subject_id);
}

/**
 * A shard's /metrics over a connection of its own: a pooled one, idle while the test waits for events,
 * can be closed by the shard's keep-alive timeout just as it is reused (ECONNRESET on a loaded machine).
 */
function scrape(url: string): Promise<string> {
  return new Promise((resolveBody, reject) => {
    get(url, { agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolveBody(body));
      response.on("error", reject);
    }).on("error", reject);
  });
}

/** Open event streams at each shard (its own gauge): what the gateway holds upstream. */
async function upstreamStreams(): Promise<number> {
  let total = 0;
  for (const subgraph of Object.keys(shards)) {
    for (const shard of Object.values(shards[subgraph])) {
      const text = await scrape(shard.url.replace(/\/graphql$/, "/metrics"));
      total += Number(/^govgraph_subscriptions_active(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    }
  }
  return total;
}

test("1,000 subscribers on one gateway get every event of a write stream once, in per-shard order, over one upstream stream per shard and kind", async () => {
  const sockets = Array.from({ length: 10 }, () => wsClient());
  const subscribers = Array.from({ length: 1000 }, (_, i) => ({ kind: KINDS[i % 2], ...subscribe(sockets[i % 10], KINDS[i % 2].field, null) }));
  // Stopped whatever happens, so a failure here does not leave 1,000 subscriptions open for the next test.
  try {
    await until(() => subscribers.every((subscriber) => subscriber.messages.length >= 1), "every subscriber's position", 120_000);
    expect(await upstreamStreams()).toBe(CODES.length * KINDS.length);

    await Promise.all(KINDS.map(({ subgraph, type }) => write(subgraph, type, PER_SHARD)));
    const expected: Record<string, Record<string, string[]>> = {};
    for (const { subgraph } of KINDS) expected[subgraph] = Object.fromEntries(await Promise.all(CODES.map(async (code) => [code, await outbox(subgraph, code)] as const)));
    const perShard = (events: Event[], code: string) => events.filter((event) => event.agencyCode === code).map((event) => event.subjectId);
    await until(() => subscribers.every((subscriber) => subscriber.events().length >= 2 * PER_SHARD), "every event at every subscriber", 120_000);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
    for (const subscriber of subscribers) {
      for (const code of CODES) expect(perShard(subscriber.events(), code)).toEqual(expected[subscriber.kind.subgraph][code]);
      expect(subscriber.events()).toHaveLength(2 * PER_SHARD);
      expect(subscriber.errors).toEqual([]);
    }
    expect(await upstreamStreams()).toBe(CODES.length * KINDS.length);
  } finally {
    subscribers.forEach((subscriber) => subscriber.stop());
  }
}, 300_000);

test("a subscriber resuming from a cursor older than the gateway's window gets exactly the events it missed, then live ones", async () => {
  const socket = wsClient();
  // What the shards hold already (the test before wrote some): neither seen nor missed by a subscriber that starts now.
  const earlier = new Set((await Promise.all(CODES.map((code) => outbox("feedback", code)))).flat());
  // Keeps the shared streams open (and their windows moving) while the other subscriber is away.
  const keeper = subscribe(socket, "feedbackEvents", null);
  const first = subscribe(socket, "feedbackEvents", null);
  await until(() => keeper.messages.length >= 1 && first.messages.length >= 1, "both positions");
  await write("feedback", "FeedbackReceived", 8);
  await until(() => first.events().length >= 16, "the first events");
  const seen = new Set(first.events().map((event) => event.subjectId));
  const cursor = first.events().at(-1)!.cursor;
  first.stop();

  // 3 windows' worth of events while it is away.
  await write("feedback", "FeedbackReceived", 60);
  await until(() => keeper.events().length >= 16 + 120, "the keeper to see them");
  const resumed = subscribe(socket, "feedbackEvents", cursor);
  await until(() => resumed.events().length >= 120, "the missed events");
  await write("feedback", "FeedbackReceived", 4);
  await until(() => resumed.events().length >= 128, "the live events after them");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
  for (const code of CODES) {
    const missed = (await outbox("feedback", code)).filter((subject) => !seen.has(subject) && !earlier.has(subject));
    expect(resumed.events().filter((event) => event.agencyCode === code).map((event) => event.subjectId)).toEqual(missed);
  }
  expect(resumed.events()).toHaveLength(128);
  expect(resumed.messages[0].type).toBe("STREAM_POSITION");
  expect(decodeGatewayCursor(resumed.messages[0].cursor)).toEqual(decodeGatewayCursor(cursor));
  expect(resumed.errors).toEqual([]);
  keeper.stop();
  resumed.stop();
}, 120_000);
