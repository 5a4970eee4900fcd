import { randomBytes } from "node:crypto";
import { subgraphs } from "../subgraphs";
import { dropDatabases } from "../subgraphs/kit/database";
import { databaseLease } from "../subgraphs/kit/job-lease";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";

const serverUrl = process.env.DATABASE_URL!;
const prefix = `t${randomBytes(4).toString("hex")}`;
let shard: RunningInstance;

beforeAll(async () => {
  shard = await startInstance(subgraphs.feedback, { agencyCode: "ACA", serverUrl, databasePrefix: prefix, seed: false, port: 0 });
});
afterAll(async () => {
  await shard.stop();
  await dropDatabases(serverUrl, prefix);
});

test("of two replicas of a shard, one holds a job's lease until it lapses; the holder renews it", async () => {
  const first = databaseLease(shard.orm, "replica-1");
  const second = databaseLease(shard.orm, "replica-2");
  const t0 = new Date("2026-12-01T00:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  expect(await first.acquire("nightly-export", 10_000, t0)).toBe(true);
  expect(await second.acquire("nightly-export", 10_000, at(1_000))).toBe(false);
  // Another job is leased on its own.
  expect(await second.acquire("link-audit", 10_000, at(1_000))).toBe(true);
  // The holder renews before the lease lapses, so the other still waits.
  expect(await first.acquire("nightly-export", 10_000, at(9_000))).toBe(true);
  expect(await second.acquire("nightly-export", 10_000, at(15_000))).toBe(false);
  // The holder stops renewing (it died): once the lease lapses, the other takes over.
  expect(await second.acquire("nightly-export", 10_000, at(19_000))).toBe(true);
  expect(await first.acquire("nightly-export", 10_000, at(20_000))).toBe(false);
});
