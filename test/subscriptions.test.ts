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
import { decodeGatewayCursor, encodeGatewayCursor } from "../gateway/shard-router/connection";
import { LINGER_MS } from "../gateway/shard-router/event-hub";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { Role } from "../contract/claims";
import { loadSecrets, projectRoot } from "../contract/config";
import { databaseName, databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { startSubgraphProcess, type ServerProcess } from "../scripts/server-process";
import { eventually, until } from "./eventually";

const serverUrl = () => process.env.DATABASE_URL!;

/** Each agency subgraph with an event stream, and a write that produces one event through the gateway. */
const streams = [
  {
    subgraph: "catalogue",
    field: "catalogueEvents",
    /** A kind only the agency's own roles and the ministry receive. */
    insidersKind: "PersonalDataFound",
    publish: {
      mutation: "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }",
      input: (agencyCode: string, serial: number) => ({
        agencyCode,
        identifier: `${agencyCode}-S-${serial}`,
        title: `資料集${serial}`,
        description: "d",
        category: "公共資訊",
        accrualPeriodicity: "每1年",
      }),
    },
  },
  {
    subgraph: "feedback",
    field: "feedbackEvents",
    insidersKind: "ReplyDrafted",
    publish: {
      mutation: "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }",
      input: (agencyCode: string, serial: number) => ({ agencyCode, email: "a@example.org", commentType: "資料內容有誤", title: `意見${serial}`, body: "b" }),
    },
  },
];

describe.each(streams)("$field", ({ subgraph, field, insidersKind, publish: write }) => {
const prefix = `s${randomBytes(4).toString("hex")}`;
let moj: RunningInstance;
let aca: ServerProcess;
let gateway: RunningGateway;
let token: string;

beforeAll(async () => {
  [moj, aca] = await Promise.all([
    startInstance(subgraphs[subgraph], { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, port: 0, seed: false }),
    startSubgraphProcess(`${subgraph}:ACA`, { serverUrl: serverUrl(), databasePrefix: prefix }),
  ]);
  gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: {}, shards: { catalogue: {}, feedback: {}, [subgraph]: { MOJ: moj.url, ACA: aca.url } } },
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

/** Subscribes as the ministry, or as `viewerToken`'s viewer (null: the public, with no token). */
function subscribe(after: string | null, { agencyCodes, recent, viewerToken = token }: { agencyCodes?: string[]; recent?: number; viewerToken?: string | null } = {}) {
  const client: Client = createClient({
    url: gateway.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: viewerToken === null ? {} : { authorization: `Bearer ${viewerToken}` },
    retryAttempts: 0,
  });
  const events: Event[] = [];
  /** Every message in order of arrival: events and the STREAM_POSITION marker. */
  const messages: Event[] = [];
  const errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  client.subscribe<Record<string, Event>>(
    {
      query: `subscription($after: String, $agencyCodes: [ID!], $recent: Int) { ${field}(after: $after, agencyCodes: $agencyCodes, recent: $recent) { cursor seq agencyCode type subjectId } }`,
      variables: { after, agencyCodes, recent },
    },
    {
      next: (result) => {
        if (result.data) {
          messages.push(result.data[field]);
          if (result.data[field].type !== "STREAM_POSITION") events.push(result.data[field]);
        }
        errors.push(...((result.errors ?? []) as typeof errors));
      },
      // The subscription's own refusal is a list of GraphQL errors; a lost connection, an event.
      error: (error) => errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }])),
      complete: () => undefined,
    },
  );
  return { events, messages, errors, close: () => client.dispose() };
}

let serial = 0;
async function publish(agencyCode: string): Promise<string> {
  serial += 1;
  const staff = await issueDevToken({ sub: "staff", role: Role.AGENCY_STAFF, agencyCode }, loadSecrets());
  const send = async () => {
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${staff}` },
      body: JSON.stringify({ query: write.mutation, variables: { input: write.input(agencyCode, serial) } }),
    });
    return (await response.json()) as { data?: Record<string, Record<string, { id: string }>>; errors?: { message: string }[] };
  };
  // A restarted shard is called again once the gateway's health checks see it ready; until then the gateway
  // refuses without calling it (nothing is written), and the client tries again.
  const body = await eventually(send, (answer) => !answer.errors?.some((error) => error.message.includes("it is down")), 20_000);
  expect(body.errors).toBeUndefined();
  return Object.values(Object.values(body.data!)[0])[0].id;
}

/** An event written by another replica of the shard (same database): while the ACA process is down, or of a kind no write here makes. */
async function appendDirectly(agencyCode: string, subjectId: string, type = "DatasetRetired"): Promise<void> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), databaseName(subgraph, agencyCode, prefix)) });
  await client.connect();
  await client.query("insert into outbox_event (id, type, subject_id, payload) values (gen_random_uuid(), $2, $1, '{}')", [subjectId, type]);
  await client.end();
}

/** The positions of the agency's events, every kind or all but one. */
async function outboxSeqs(agencyCode: string, exceptKind?: string): Promise<string[]> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), databaseName(subgraph, agencyCode, prefix)) });
  await client.connect();
  // Every committed event, numbered: an event gets its position (its seq in the stream) once its transaction and every older one have finished.
  let rows: { seq: string | null }[] = [];
  for (let tries = 0; tries < 100 && (tries === 0 || rows.some((row) => row.seq === null)); tries++) {
    if (tries > 0) await new Promise((resolveDelay) => setTimeout(resolveDelay, 20));
    await client.query("select outbox_publish()");
    ({ rows } = await client.query<{ seq: string | null }>("select position::text as seq from outbox_event where type is distinct from $1 order by position", [exceptKind ?? null]));
  }
  await client.end();
  return rows.map((row) => row.seq!);
}

const seqsOf = (events: Event[], agencyCode: string) => events.filter((e) => e.agencyCode === agencyCode).map((e) => e.seq);

test("every event once, in per-shard order, across a shard killed and restarted mid-stream; resume by cursor", async () => {
  // From the start of both outboxes, so no event can fall between subscribing and producing.
  const live = subscribe(encodeGatewayCursor({ MOJ: "0", ACA: "0" }));
  /** Waits until the subscriber has exactly what each shard's outbox holds, in order. */
  const caughtUp = async (what: string, events = live.events, since: Record<string, Set<string>> = { MOJ: new Set(), ACA: new Set() }) => {
    let expected: Record<string, string[]> = {};
    await until(async () => {
      expected = { MOJ: (await outboxSeqs("MOJ")).filter((seq) => !since.MOJ.has(seq)), ACA: (await outboxSeqs("ACA")).filter((seq) => !since.ACA.has(seq)) };
      return seqsOf(events, "MOJ").length >= expected.MOJ.length && seqsOf(events, "ACA").length >= expected.ACA.length;
    }, what);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
    expect(seqsOf(events, "MOJ")).toEqual(expected.MOJ);
    expect(seqsOf(events, "ACA")).toEqual(expected.ACA);
  };
  for (let round = 0; round < 4; round++) {
    await publish("MOJ");
    await publish("ACA");
  }
  await caughtUp("the first events");

  await aca.kill();
  const retired = await publish("MOJ");
  await appendDirectly("ACA", retired);
  await appendDirectly("ACA", retired);
  await publish("MOJ");
  await aca.restart();
  await publish("ACA");
  await publish("MOJ");
  await caughtUp("every event after the restart");
  expect(live.errors.some((e) => e.extensions?.code === "SHARD_UNAVAILABLE" && e.extensions?.agencyCode === "ACA")).toBe(true);

  // The client goes away; events happen; it comes back with the cursor of the last event it saw.
  const seen = { MOJ: new Set(seqsOf(live.events, "MOJ")), ACA: new Set(seqsOf(live.events, "ACA")) };
  const lastCursor = live.events.at(-1)!.cursor;
  await live.close();
  await publish("ACA");
  await publish("MOJ");
  await publish("ACA");
  const resumed = subscribe(lastCursor);
  await caughtUp("the missed events", resumed.events, seen);
  expect(resumed.events).toHaveLength(3);
  expect(resumed.errors).toEqual([]);
  await resumed.close();
}, 90_000);

test("a subscriber without a cursor gets what happens after it subscribed, nothing before", async () => {
  const before = new Set([...(await outboxSeqs("MOJ")).map((seq) => `MOJ/${seq}`), ...(await outboxSeqs("ACA")).map((seq) => `ACA/${seq}`)]);
  const live = subscribe(null);
  // The stream says where it starts (one STREAM_POSITION, once every shard has taken its position), then what follows.
  await until(() => live.messages.length === 1, "the stream's position");
  expect(live.messages[0].type).toBe("STREAM_POSITION");
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

test("recent: each agency's latest events first, then live; a cursor taken then resumes after them", async () => {
  for (let i = 0; i < 3; i++) await publish("MOJ");
  await publish("ACA");
  const [mojSeqs, acaSeqs] = [await outboxSeqs("MOJ"), await outboxSeqs("ACA")];
  const opened = subscribe(null, { recent: 2 });
  await until(() => opened.events.length === 4, "each agency's 2 latest events");
  expect(opened.messages[0].type).toBe("STREAM_POSITION");
  expect(seqsOf(opened.events, "MOJ")).toEqual(mojSeqs.slice(-2));
  expect(seqsOf(opened.events, "ACA")).toEqual(acaSeqs.slice(-2));
  await publish("ACA");
  await until(() => opened.events.length === 5, "the live event");
  expect(seqsOf(opened.events, "ACA")).toEqual((await outboxSeqs("ACA")).slice(-3));
  // While the shared streams are open, a window serves what it holds (ACA's live event) and a shard the rest (MOJ's).
  const second = subscribe(null, { recent: 1 });
  await until(() => second.events.length === 2, "each agency's latest event");
  expect(seqsOf(second.events, "ACA")).toEqual((await outboxSeqs("ACA")).slice(-1));
  expect(seqsOf(second.events, "MOJ")).toEqual(mojSeqs.slice(-1));
  await second.close();
  await opened.close();

  // The last cursor received resumes after it, recent or not; recent out of bounds is refused.
  const resumed = subscribe(opened.events.at(-1)!.cursor, { recent: 2 });
  await until(() => resumed.messages.length === 1, "the stream's position");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
  expect(resumed.events).toEqual([]);
  await resumed.close();
  const tooMany = subscribe(null, { recent: 101 });
  await until(() => tooMany.errors.length > 0, "the refusal");
  expect(tooMany.errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", fields: [{ path: "recent", reason: "must be between 0 and 100" }] } });
  await tooMany.close();
});

test("recent counts the events the viewer may receive: the public opens with the latest public ones, however many insiders' came after", async () => {
  // The shared streams of the tests before have closed, so MOJ's opens with an empty window.
  await new Promise((resolveDelay) => setTimeout(resolveDelay, LINGER_MS + 500));
  const id = await publish("MOJ");
  await publish("MOJ");
  for (let i = 0; i < 3; i++) await appendDirectly("MOJ", id, insidersKind);
  // The window holds none of them: the shard says where the public's 2 latest begin.
  const fromShard = subscribe(null, { agencyCodes: ["MOJ"], recent: 2, viewerToken: null });
  await until(() => fromShard.events.length === 2, "the public's 2 latest events, from the shard");
  expect(seqsOf(fromShard.events, "MOJ")).toEqual((await outboxSeqs("MOJ", insidersKind)).slice(-2));

  // The ministry's subscriber sees the window fill: one public event, then two of the insiders'.
  const ministry = subscribe(null, { agencyCodes: ["MOJ"] });
  await until(() => ministry.messages.length === 1, "the ministry's position");
  await publish("MOJ");
  for (let i = 0; i < 2; i++) await appendDirectly("MOJ", id, insidersKind);
  await until(() => ministry.events.length === 3, "the events in the window");
  const publicSeqs = await outboxSeqs("MOJ", insidersKind);
  const fromWindow = subscribe(null, { agencyCodes: ["MOJ"], recent: 1, viewerToken: null });
  await until(() => fromWindow.events.length === 1, "the public's latest event, from the window");
  expect(seqsOf(fromWindow.events, "MOJ")).toEqual(publicSeqs.slice(-1));
  // More than the window holds for the public, though it holds that many events: the shard says where they begin.
  const pastWindow = subscribe(null, { agencyCodes: ["MOJ"], recent: 3, viewerToken: null });
  await until(() => pastWindow.events.length === 3, "the public's 3 latest events");
  expect(seqsOf(pastWindow.events, "MOJ")).toEqual(publicSeqs.slice(-3));
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
  for (const subscriber of [fromShard, fromWindow, pastWindow]) expect(subscriber.events.every((event) => event.type !== insidersKind)).toBe(true);
  expect(fromShard.events).toHaveLength(3);
  await Promise.all([fromShard, ministry, fromWindow, pastWindow].map((subscriber) => subscriber.close()));
}, 30_000);

test("an agency without a shard is named: beside others, first, and the stream goes on; alone, as the subscription's refusal", async () => {
  const mixed = subscribe(null, { agencyCodes: ["XYZ", "MOJ"] });
  await until(() => mixed.messages.length === 1, "the stream's position");
  expect(mixed.errors).toEqual([expect.objectContaining({ message: 'No shard is registered for agency "XYZ"; answered without it.', extensions: expect.objectContaining({ code: "NOT_FOUND", agencyCode: "XYZ" }) })]);
  await publish("MOJ");
  await until(() => mixed.events.length === 1, "MOJ's event");
  expect(mixed.events[0].agencyCode).toBe("MOJ");
  await mixed.close();

  const alone = subscribe(null, { agencyCodes: ["XYZ"] });
  await until(() => alone.errors.length === 1, "the refusal");
  expect(alone.errors[0]).toMatchObject({ message: 'No shard is registered for agency "XYZ".', extensions: { code: "NOT_FOUND", agencyCode: "XYZ" } });
  expect(alone.messages).toEqual([]);
  await alone.close();
  const none = subscribe(null, { agencyCodes: [] });
  await until(() => none.errors.length === 1, "the refusal");
  expect(none.errors[0]).toMatchObject({
    extensions: { code: "BAD_USER_INPUT", fields: [{ path: "agencyCodes", reason: "names no agency: name one at least, or leave agencyCodes out for every agency" }] },
  });
  await none.close();
});

test("the first message carries the combined cursor: a subscriber that drops before any event resumes from it without a gap", async () => {
  const first = subscribe(null);
  await until(() => first.messages.length >= 1, "the first message");
  const [marker] = first.messages;
  expect(marker).toMatchObject({ type: "STREAM_POSITION", agencyCode: null });
  expect(first.messages).toHaveLength(1);
  expect(decodeGatewayCursor(marker.cursor)).toEqual({ MOJ: (await outboxSeqs("MOJ")).at(-1), ACA: (await outboxSeqs("ACA")).at(-1) });
  await first.close();

  // Events happen while the subscriber is away; it comes back with the marker's cursor.
  const before = { MOJ: new Set(await outboxSeqs("MOJ")), ACA: new Set(await outboxSeqs("ACA")) };
  await publish("ACA");
  await publish("MOJ");
  const resumed = subscribe(marker.cursor);
  await until(() => resumed.events.length >= 2, "the 2 missed events");
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
  for (const code of ["ACA", "MOJ"] as const) expect(seqsOf(resumed.events, code)).toEqual((await outboxSeqs(code)).filter((seq) => !before[code].has(seq)));
  expect(resumed.messages[0].type).toBe("STREAM_POSITION");
  expect(resumed.messages).toHaveLength(3);
  await resumed.close();
});
});
