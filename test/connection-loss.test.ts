/**
 * A database connection PostgreSQL ends under an instance (a restart, a
 * failover, an administrator) is said in the instance's JSON log, and the
 * next query runs on a new connection.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { Client } from "pg";
import { subgraphs } from "../subgraphs";
import { databaseUrl, dropDatabases, ensureDatabase } from "../subgraphs/kit/database";
import { openOrm } from "../subgraphs/kit/orm";
import { until } from "./eventually";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `c${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await dropDatabases(serverUrl(), prefix);
});

test("a pooled connection PostgreSQL terminates is logged as JSON, not printed bare, and the next query succeeds", async () => {
  const name = `${prefix}_loss`;
  await ensureDatabase(serverUrl(), name);
  const lines: { level: number; knex?: boolean; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const log = pino({ level: "debug" }, sink);
  const printed = jest.spyOn(console, "warn");
  const orm = await openOrm({ url: databaseUrl(serverUrl(), name), entities: subgraphs.advisory.entities, migrations: [], log, poolSize: 1 });
  try {
    const connection = orm.em.getConnection();
    const [{ pid }] = await connection.execute<{ pid: number }[]>("select pg_backend_pid() as pid");
    const admin = new Client({ connectionString: serverUrl() });
    await admin.connect();
    await admin.query("select pg_terminate_backend($1)", [pid]);
    // Gone from the server; the pool learns of it as the socket closes, and says so when it next hands that connection out.
    await until(async () => (await admin.query("select 1 from pg_stat_activity where pid = $1", [pid])).rowCount === 0, "the backend to exit");
    await admin.end();
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 100));
    const [{ answer }] = await connection.execute<{ answer: number }[]>("select 42 as answer");
    expect(answer).toBe(42);
    expect(lines.filter((line) => line.knex).map(({ level, msg }) => [level, msg])).toEqual([[40, "Connection Error: Connection ended unexpectedly"]]);
    expect(printed.mock.calls.filter(([message]) => /Connection Error/.test(String(message)))).toEqual([]);
  } finally {
    printed.mockRestore();
    await orm.close(true);
  }
});
