/**
 * Seeding is atomic: a first start that fails while seeding leaves nothing
 * half-seeded, and the next start seeds; a seeded database is never seeded twice.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { feedback } from "../subgraphs/feedback";
import { databaseName, databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { startInstance } from "../subgraphs/kit/server";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `s${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await dropDatabases(serverUrl(), prefix);
});

async function comments(): Promise<number> {
  const client = new Client({ connectionString: databaseUrl(serverUrl(), databaseName("feedback", "ACA", prefix)) });
  await client.connect();
  const { rows } = await client.query<{ count: string }>("select count(*) from feedback");
  await client.end();
  return Number(rows[0].count);
}

test("a start that crashes while seeding leaves the database unseeded, and the next start seeds it once", async () => {
  const crashing = {
    ...feedback,
    seed: async (...args: Parameters<NonNullable<typeof feedback.seed>>) => {
      await feedback.seed!(...args);
      await args[0].flush();
      throw new Error("the machine was too busy: killed while seeding");
    },
  };
  await expect(startInstance(crashing, { agencyCode: "ACA", serverUrl: serverUrl(), databasePrefix: prefix, host: "127.0.0.1" })).rejects.toThrow("killed while seeding");
  expect(await comments()).toBe(0);

  const second = await startInstance(feedback, { agencyCode: "ACA", serverUrl: serverUrl(), databasePrefix: prefix, host: "127.0.0.1" });
  await second.stop();
  const seeded = await comments();
  expect(seeded).toBeGreaterThan(0);

  const third = await startInstance(feedback, { agencyCode: "ACA", serverUrl: serverUrl(), databasePrefix: prefix, host: "127.0.0.1" });
  await third.stop();
  expect(await comments()).toBe(seeded);
});
