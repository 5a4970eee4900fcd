/**
 * A 100 MB CSV, generated into a temporary folder and served on loopback, is
 * scanned for personal data and loaded into the datastore while the memory
 * the process holds (heap and buffers) stays far below the file's size:
 * memory is a correctness property of streaming, so it is asserted here,
 * with a generous bound.
 */
import "./allow-loopback-fetch";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { allowList } from "../subgraphs/catalogue/quality/probe";
import { scanResource } from "../subgraphs/catalogue/deidentification/gate";
import { loadResourceFile } from "../subgraphs/catalogue/datastore/load";
import { startTestTopology, type TestTopology } from "./topology";

const MB = 1024 * 1024;
let folder: string;
let server: Server;
let url: string;
let topology: TestTopology;

async function writeCsv(path: string, bytes: number): Promise<number> {
  const out = createWriteStream(path);
  out.write("機關,年月,收容人數,比率,備註\n");
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i += 1, rows += 1) lines.push(`臺北監獄,2017-${String((rows % 12) + 1).padStart(2, "0")}-01,${rows},${(rows % 100) / 10},第${rows % 7}區 月底統計`);
    const chunk = lines.join("\n") + "\n";
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return rows;
}

// A collection before each sample, so that the samples measure what is live, not garbage not yet collected.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Runs `work` while sampling live heap and buffer memory; returns its result and the peak growth over the start. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const used = () => {
    collectGarbage();
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.arrayBuffers;
  };
  const start = used();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 500);
  try {
    const result = await work();
    return { result, growth: Math.max(peak, used()) - start };
  } finally {
    clearInterval(sampler);
  }
}

let rows = 0;
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "govgraph-large-"));
  rows = await writeCsv(join(folder, "large.csv"), 100 * MB);
  server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/csv" });
    createReadStream(join(folder, "large.csv")).pipe(response);
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/large.csv`;
  topology = await startTestTopology(["ACA"]);
}, 120_000);

afterAll(async () => {
  await topology?.stop();
  server?.closeAllConnections();
  server?.close();
  rmSync(folder, { recursive: true, force: true });
});

const settings = { timeoutMs: 300_000, silenceMs: 30_000, allowed: allowList(["127.0.0.1"]) };
/** Far below the file (which, held whole, would take at least 100 MB as bytes and twice as much as text). */
const BOUND = 64 * MB;

test("a 100 MB CSV is scanned in bounded memory", async () => {
  expect(statSync(join(folder, "large.csv")).size).toBeGreaterThanOrEqual(100 * MB);
  const { result, growth } = await peakGrowth(() => scanResource({ downloadUrl: url, format: "CSV" }, settings));
  expect(result?.error).toBeNull();
  expect(result?.report?.bytes).toBeGreaterThanOrEqual(100 * MB);
  expect(result?.report?.findings).toEqual([]);
  expect(growth).toBeLessThan(BOUND);
}, 600_000);

test("a 100 MB CSV is loaded into the datastore in bounded memory", async () => {
  const em = topology.instances.get("catalogue:ACA")!.orm.em.fork();
  const { result, growth } = await peakGrowth(() => loadResourceFile(em, { id: "6f1c2b9e-0000-4000-8000-000000000001", downloadUrl: url, format: "CSV" }, settings));
  expect(result.rows).toBe(rows);
  expect(result.columns.map((column) => column.type)).toEqual(["TEXT", "DATE", "INTEGER", "DECIMAL", "TEXT"]);
  expect(growth).toBeLessThan(BOUND);
}, 600_000);
