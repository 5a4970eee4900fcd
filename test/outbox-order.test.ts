/**
 * The outbox reader on real PostgreSQL with writers that do not wait for
 * each other: two transactions interleaved so that one commits after an
 * event written later is already committed. The reader must deliver both,
 * once each, in strictly increasing positions, and never move its cursor
 * past an event whose transaction is still open. A reader from now starts
 * after every event already committed. And a reader whose consumer leaves
 * stops reading at once.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { subgraphs } from "../subgraphs";
import { databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { loggerFor } from "../contract/logger";
import { OutboxFeed, type OutboxRow } from "../subgraphs/kit/outbox-feed";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { until } from "./eventually";

const serverUrl = process.env.DATABASE_URL!;
const prefix = `t${randomBytes(4).toString("hex")}`;
let shard: RunningInstance;
let feed: OutboxFeed;
const streams = { open: 0 };

beforeAll(async () => {
  shard = await startInstance(subgraphs.feedback, { agencyCode: "ACA", serverUrl, databasePrefix: prefix, seed: false, port: 0 });
  feed = new OutboxFeed(databaseUrl(serverUrl, shard.database), "ACA", loggerFor("test", "ACA"), {
    opened: () => (streams.open += 1),
    closed: () => (streams.open -= 1),
    delivered: () => undefined,
  });
  await feed.start();
});
afterAll(async () => {
  await feed.close();
  await shard.stop();
  await dropDatabases(serverUrl, prefix);
});

async function writer(): Promise<Client> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, shard.database) });
  await client.connect();
  await client.query("begin");
  return client;
}
const append = (client: Client, subjectId: string) =>
  client.query("insert into outbox_event (id, type, subject_id, payload) values (gen_random_uuid(), 'FeedbackReceived', $1, '{}')", [subjectId]);
const commit = async (client: Client) => {
  await client.query("commit");
  await client.end();
};
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Follows the outbox from its head in the background: every event received, in order. */
async function follow() {
  const iterator = feed.stream(shard.orm.em.fork(), null);
  const marker = await iterator.next();
  const received: OutboxRow[] = [];
  const pump = (async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) received.push(next.value);
  })();
  return { start: marker.value as OutboxRow, received, stop: async () => (await iterator.return!(), await pump) };
}

test("a reader from now starts after every event committed before it, even those no reader had numbered", async () => {
  const before = await writer();
  await append(before, "before");
  await commit(before);
  const reader = await follow();
  const after = await writer();
  await append(after, "after");
  await commit(after);
  await until(() => reader.received.length >= 1, "the event committed after the reader started");
  await sleep(200);
  expect(reader.received.map((row) => row.subjectId)).toEqual(["after"]);
  await reader.stop();
});

test("an event whose transaction commits after a later-written one's is delivered, once, after it", async () => {
  const reader = await follow();
  const early = await writer();
  await append(early, "early");
  const late = await writer();
  await append(late, "late");
  await commit(late);
  // "late" is committed, but "early" (written before it, still open) could still commit: the reader must not pass it.
  await sleep(500);
  expect(reader.received.map((row) => row.subjectId)).toEqual([]);
  await commit(early);
  await until(() => reader.received.length >= 2, "both events");
  await sleep(200);
  expect(reader.received.map((row) => row.subjectId)).toEqual(["early", "late"]);
  const positions = reader.received.map((row) => BigInt(row.seq));
  expect(positions[0]).toBeGreaterThan(BigInt(reader.start.seq));
  expect(positions[1]).toBeGreaterThan(positions[0]);
  await reader.stop();
});

test("a transaction that began first but writes its event last is delivered before a later one that committed first", async () => {
  const reader = await follow();
  const first = await writer();
  await first.query("select pg_current_xact_id()"); // takes its transaction id now, writes later
  const second = await writer();
  await append(second, "second");
  await commit(second);
  await append(first, "first");
  await sleep(500);
  expect(reader.received).toEqual([]);
  await commit(first);
  await until(() => reader.received.length >= 2, "both events");
  await sleep(200);
  expect(reader.received.map((row) => row.subjectId)).toEqual(["first", "second"]);
  // A reader that resumes from the first event's position gets exactly the second.
  const resumed = feed.stream(shard.orm.em.fork(), reader.received[0].seq);
  await resumed.next();
  expect((await resumed.next()).value).toMatchObject({ subjectId: "second", seq: reader.received[1].seq });
  await resumed.return!();
  await reader.stop();
});

test("an older transaction that commits while the reader is numbering is never passed, whatever the moment", async () => {
  const reader = await follow();
  const rounds = 150;
  for (let round = 0; round < rounds; round++) {
    const early = await writer();
    await append(early, `early-${round}`);
    const late = await writer();
    await append(late, `late-${round}`);
    await commit(late);
    // The reader numbers every 10 ms while "late" waits: "early" commits at a different moment of that cycle each round.
    await sleep(round % 11);
    await commit(early);
  }
  await until(() => reader.received.length >= 2 * rounds, "every event");
  const order = reader.received.map((row) => row.subjectId);
  const passed = Array.from({ length: rounds }, (_, round) => round).filter((round) => order.indexOf(`late-${round}`) < order.indexOf(`early-${round}`));
  expect(passed).toEqual([]);
  await reader.stop();
});

test("many writers at once: every committed event once, in increasing positions; a rolled-back one never", async () => {
  const reader = await follow();
  const writers = await Promise.all(Array.from({ length: 12 }, () => writer()));
  await Promise.all(writers.map((client, i) => append(client, `w${i}`)));
  // Commit in an order unrelated to the order of writing; one rolls back.
  const order = [7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 6];
  for (const i of order) await commit(writers[i]);
  await writers[4].query("rollback");
  await writers[4].end();
  await until(() => reader.received.length >= order.length, "every committed event");
  await sleep(200);
  expect(reader.received.map((row) => row.subjectId).sort()).toEqual(order.map((i) => `w${i}`).sort());
  const positions = reader.received.map((row) => BigInt(row.seq));
  expect(positions.every((position, i) => i === 0 || position > positions[i - 1])).toBe(true);
  await reader.stop();
});

test("a reader whose consumer leaves stops at once, without waiting for its next poll", async () => {
  const before = streams.open;
  const reader = await follow();
  await until(() => streams.open === before + 1, "the reader to open");
  const stopped = await Promise.race([reader.stop().then(() => "stopped"), sleep(3000).then(() => "still reading")]);
  expect(stopped).toBe("stopped");
  expect(streams.open).toBe(before);
});
