import { randomBytes } from "node:crypto";
import pino from "pino";
import { Client } from "pg";
import { advisoryLease, APPLICATION_NAME } from "./advisory-lease";

const log = pino({ level: "silent" });
const database = `lease_${randomBytes(4).toString("hex")}`;
const serverUrl = () => process.env.DATABASE_URL!;
const url = () => {
  const address = new URL(serverUrl());
  address.pathname = `/${database}`;
  return address.toString();
};

async function onServer<T>(work: (client: Client) => Promise<T>, connectionString = serverUrl()): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(() => onServer((client) => client.query(`create database "${database}"`)));
afterAll(() => onServer((client) => client.query(`drop database if exists "${database}" with (force)`)));

const now = new Date();

test("of two replicas one holds the job, keeps it, and the other takes it once the holder lets go", async () => {
  const [first, second] = [advisoryLease(url(), log), advisoryLease(url(), log)];
  try {
    expect(await first.acquire("relay", 6000, now)).toBe(true);
    expect(await second.acquire("relay", 6000, now)).toBe(false);
    expect(await first.acquire("relay", 6000, now)).toBe(true);
    expect(await second.acquire("relay", 6000, now)).toBe(false);
    // Another job is another lock.
    expect(await second.acquire("other", 6000, now)).toBe(true);
    await first.close();
    expect(await second.acquire("relay", 6000, now)).toBe(true);
    expect(await first.acquire("relay", 6000, now)).toBe(false);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});

test("a holder whose connection is cut loses the job with it, and the other takes it", async () => {
  const [first, second] = [advisoryLease(url(), log), advisoryLease(url(), log)];
  try {
    expect(await first.acquire("relay", 6000, now)).toBe(true);
    expect(await second.acquire("relay", 6000, now)).toBe(false);
    const holder = await onServer(
      async (client) =>
        (
          await client.query<{ pid: number }>(
            `select l.pid from pg_locks l join pg_stat_activity a using (pid)
             where l.locktype = 'advisory' and l.granted and a.application_name = $1 and a.datname = current_database()`,
            [APPLICATION_NAME],
          )
        ).rows,
      url(),
    );
    expect(holder).toHaveLength(1);
    // Waits (up to 10 s) until the backend has exited, and with it released its locks: without a timeout it only signals.
    await onServer((client) => client.query("select pg_terminate_backend($1, 10000)", [holder[0].pid]));
    expect(await second.acquire("relay", 6000, now)).toBe(true);
    expect(await first.acquire("relay", 6000, now)).toBe(false);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});
