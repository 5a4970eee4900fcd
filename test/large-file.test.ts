/**
 * A 100 MB CSV, generated into a temporary folder and served on loopback, is
 * scanned for personal data and loaded into the datastore while the memory
 * the process holds (heap and buffers) stays far below the file's size:
 * memory is a correctness property of streaming, so it is asserted here,
 * with a generous bound.
 *
 * The scan and the load run in a process of their own (large-file-worker.mjs,
 * the compiled code as a shard runs it): a Jest worker's heap holds what
 * earlier test files left, and its module sandbox slowed the parser several
 * times over, so neither time nor memory measured there is the shard's.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { promisify } from "node:util";
import { Client } from "pg";
import { databaseUrl, dropDatabases, ensureDatabase } from "../subgraphs/kit/database";

const MB = 1024 * 1024;
const serverUrl = process.env.DATABASE_URL!;
const prefix = `large_${randomUUID().slice(0, 8)}`;
const database = databaseUrl(serverUrl, `${prefix}_datastore`);
let folder: string;
let server: Server;
let url: string;
let rows = 0;

async function writeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write("機關,年月,收容人數,比率,備註\n");
  let written = 0;
  let count = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i += 1, count += 1) lines.push(`臺北監獄,2017-${String((count % 12) + 1).padStart(2, "0")}-01,${count},${(count % 100) / 10},第${count % 7}區 月底統計`);
    const chunk = lines.join("\n") + "\n";
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return count;
}

interface WorkerReport<T> {
  result: T;
  /** Peak live memory (heap and buffers) over the start, in bytes. */
  growth: number;
  seconds: number;
}

async function inWorker<T>(...args: string[]): Promise<WorkerReport<T>> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", join(__dirname, "large-file-worker.mjs"), ...args], { maxBuffer: MB, timeout: 600_000 });
  return JSON.parse(stdout) as WorkerReport<T>;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "govgraph-large-"));
  rows = await writeCsv(join(folder, "large.csv"), 100 * MB);
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/csv" });
    createReadStream(join(folder, "large.csv")).pipe(response);
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/large.csv`;
  await ensureDatabase(serverUrl, `${prefix}_datastore`);
});

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  rmSync(folder, { recursive: true, force: true });
  await dropDatabases(serverUrl, prefix);
});

/** Far below the file (which, held whole, would take at least 100 MB as bytes and twice as much as text). */
const BOUND = 64 * MB;

test("a 100 MB CSV is scanned in bounded memory", async () => {
  expect(statSync(join(folder, "large.csv")).size).toBeGreaterThanOrEqual(100 * MB);
  const { result, growth, seconds } = await inWorker<{ error: string | null; report: { bytes: number; values: number; findings: unknown[] } }>("scan", url);
  expect(result.error).toBeNull();
  expect(result.report.bytes).toBeGreaterThanOrEqual(100 * MB);
  expect(result.report.values).toBe(rows * 5);
  expect(result.report.findings).toEqual([]);
  expect(growth).toBeLessThan(BOUND);
  console.log(`scan: ${(result.report.bytes / MB / seconds).toFixed(1)} MB/s, live memory +${(growth / MB).toFixed(1)} MB`);
}, 600_000);

test("a 100 MB CSV is loaded into the datastore in bounded memory", async () => {
  const resourceId = randomUUID();
  const { result, growth, seconds } = await inWorker<{ rows: number; columns: { type: string }[] }>("load", url, database, resourceId);
  expect(result.rows).toBe(rows);
  expect(result.columns.map((column) => column.type)).toEqual(["TEXT", "DATE", "INTEGER", "DECIMAL", "TEXT"]);
  expect(growth).toBeLessThan(BOUND);
  // What was loaded is in the table, whole: as many rows, the last one's values typed.
  const client = new Client({ connectionString: database });
  await client.connect();
  try {
    const { rows: [table] } = await client.query(`select count(*)::int as count, max(c3) as last from datastore_${resourceId.replace(/-/g, "")}`);
    expect(table).toEqual({ count: rows, last: String(rows - 1) });
  } finally {
    await client.end();
  }
  console.log(`load: ${Math.round(rows / seconds)} rows/s, live memory +${(growth / MB).toFixed(1)} MB`);
}, 600_000);
