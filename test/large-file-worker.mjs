// Child process of test/large-file.test.ts: scans or loads one file with the
// compiled code (dist/), as a catalogue shard runs it, and prints what it
// did and the peak growth of live memory (heap and buffers) over its start.
// Run with --expose-gc: every sample follows a collection, so it measures
// what is live, not garbage not yet collected.
//   node --expose-gc test/large-file-worker.mjs scan <url>
//   node --expose-gc test/large-file-worker.mjs load <url> <databaseUrl> <resourceId>
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
require("reflect-metadata");
const { Client } = require("pg");
const { allowList } = require("../dist/subgraphs/catalogue/quality/probe.js");
const { scanResource } = require("../dist/subgraphs/catalogue/deidentification/gate.js");
const { loadResource } = require("../dist/subgraphs/catalogue/datastore/load.js");

const [mode, url, databaseUrl, resourceId] = process.argv.slice(2);
const settings = { timeoutMs: 600_000, silenceMs: 30_000, allowed: allowList(["127.0.0.1"]) };

function live() {
  globalThis.gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

async function work() {
  if (mode === "scan") return scanResource({ downloadUrl: url, format: "CSV" }, settings);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await loadResource(client, { id: resourceId, downloadUrl: url, format: "CSV" }, settings);
  } finally {
    await client.end();
  }
}

const start = live();
let peak = start;
const sampler = setInterval(() => (peak = Math.max(peak, live())), 500);
const began = performance.now();
const result = await work();
const seconds = (performance.now() - began) / 1000;
clearInterval(sampler);
process.stdout.write(JSON.stringify({ result, growth: Math.max(peak, live()) - start, seconds }));
