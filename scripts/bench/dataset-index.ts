/**
 * npm run bench -- index [--shards 9,200] [--datasets 20] [--duration 5] [--connections 16]
 *
 * The ministry-wide listing, `first: 20` in the default order as MINISTRY_ADMIN
 * (every request its own viewer, so the engine merges no two), from metrics'
 * dataset index (`datasetIndex`: one query) and from the shards (`datasets`:
 * fanned out and merged), at each shard count: p50, p99, requests per second.
 * A request whose answer carries an error (a shard that did not answer within
 * GOVGRAPH_SHARD_TIMEOUT_MS: a partial list) counts as failed.
 * Then the index's lag behind a shard's commit: a dataset registered through
 * the gateway, and the time until its row is in the index (polled every 2 ms
 * on metrics' database), from the request sent (an upper bound: the commit is
 * before the answer) and from the answer received (a lower bound).
 *
 * Every shard is a real catalogue instance with its own database, all in this
 * process on one PostgreSQL: one migrated database is copied for every other
 * shard (CREATE DATABASE … TEMPLATE), each instance keeps two pooled
 * connections (one would leave the gateway's readiness probes waiting under load), and each holds --datasets datasets published through the
 * catalogue's own write path (so their events are what a shard appends).
 * Metrics follows the gateway's routing table: the gateway of the first
 * shard count routes the first shards; the next one, on the same port, routes
 * more, and metrics starts following them (as it would shards admitted at
 * run time). Load generator, gateway and shards share this process and its
 * cores: compare rows with each other, not with a deployment.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { Role } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { issueDevToken } from "../../gateway/auth";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import type { RegisterDatasetInput } from "../../subgraphs/catalogue/inputs";
import { publishDataset } from "../../subgraphs/catalogue/writes";
import { databaseName } from "../../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";
import { percentile, type BenchOptions } from "./shared";

const LISTING = "totalCount edges { cursor node { agencyCode identifier title issued } } pageInfo { hasNextPage endCursor }";
const QUERIES = {
  index: `{ datasetIndex(first: 20) { ${LISTING} } }`,
  "fan-out": `{ datasets(first: 20) { ${LISTING} } }`,
};
const LAG_SAMPLES = 20;
const STARTING_AT_ONCE = 40;

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

async function post(url: string, query: string, token: string, variables?: Record<string, unknown>): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

/** `connections` clients sending `query` back to back for `seconds` (after 1 s not measured), each request as one of `tokens`. */
async function load(url: string, query: string, tokens: string[], seconds: number, connections: number) {
  // A broken query stops the run; a partial answer (a shard that did not answer in time) is a measured failure.
  const sanity = await post(url, query, tokens[0]);
  if (!sanity.data) throw new Error(`sanity request failed: ${JSON.stringify(sanity.errors).slice(0, 300)}`);
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const run = async (until: number, record: boolean) => {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < until) {
          const started = performance.now();
          const answer = await post(url, query, tokens[next++ % tokens.length]).catch(() => ({ errors: ["unreachable"] }));
          if (!record) continue;
          latencies.push(performance.now() - started);
          if (answer.errors) failed += 1;
        }
      }),
    );
  };
  await run(Date.now() + 1000, false);
  await run(Date.now() + seconds * 1000, true);
  return { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), requestsPerSecond: Math.round(latencies.length / seconds), failed };
}

/** The shard's datasets, published through the catalogue's own write path (one transaction). */
async function seedShard(shard: RunningInstance, code: string, position: number, datasets: number): Promise<void> {
  await shard.orm.em.fork().transactional(async (tx) => {
    for (let n = 1; n <= datasets; n++) {
      const day = new Date(Date.UTC(2013, 0, 1 + ((n * 37 + position * 11) % 1900))).toISOString().slice(0, 10);
      const input = {
        agencyCode: code,
        identifier: `${code}-${String(n).padStart(6, "0")}`,
        title: `${code} 基準測試資料集 ${n}`,
        description: "基準測試資料",
        category: "公共資訊",
        accrualPeriodicity: "每1年",
        issued: day,
        keywords: [],
        resources: [{ description: "資料", format: "CSV", encoding: "UTF-8", downloadUrl: `https://example.gov.tw/${code}/${n}.csv`, fields: [] }],
      } as unknown as RegisterDatasetInput;
      // Seeded directly: their (example) files are not fetched, so not scanned for personal data.
      await publishDataset(tx, input, "input", input.resources.map(() => null));
    }
  });
}

async function indexedRows(metrics: RunningInstance): Promise<number> {
  const [{ count }] = await metrics.orm.em.fork().getConnection().execute<{ count: string }[]>("select count(*)::text as count from dataset_index");
  return Number(count);
}

export async function benchIndex({ serverUrl, prefix, duration, connections, shardCounts, datasets }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = Array.from({ length: Math.max(...shardCounts) }, (_, i) => `S${String(i + 1).padStart(3, "0")}`);
  const instances: RunningInstance[] = [];
  const shards = new Map<string, RunningInstance>();
  const rows: Record<string, unknown>[] = [];
  const lags: Record<string, unknown>[] = [];
  // A follower's stream refused while 200 start at once (graphql-ws rejects with the socket's CloseEvent, 4408
  // "Connection initialisation timeout", outside the follower's own handling): counted and reported, not fatal here.
  let streamRejections = 0;
  const onRejection = (reason: unknown) => {
    if (reason && typeof reason === "object" && "code" in reason && "reason" in reason) streamRejections += 1;
    else throw reason;
  };
  process.on("unhandledRejection", onRejection);
  const startShard = (code: string) => startInstance(subgraphs.catalogue, { agencyCode: code, serverUrl, databasePrefix: prefix, seed: false, port: 0, poolSize: 2 });
  try {
    const started = performance.now();
    console.log(`starting ${codes.length} catalogue shards with ${datasets} datasets each, and metrics…`);
    const template = await startShard(codes[0]);
    await template.stop();
    const server = new Client({ connectionString: serverUrl });
    await server.connect();
    try {
      for (const code of codes.slice(1)) await server.query(`create database "${databaseName("catalogue", code, prefix)}" template "${template.database}"`);
    } finally {
      await server.end();
    }
    for (let i = 0; i < codes.length; i += STARTING_AT_ONCE) {
      await Promise.all(
        codes.slice(i, i + STARTING_AT_ONCE).map(async (code, j) => {
          const shard = await startShard(code);
          instances.push(shard);
          shards.set(code, shard);
          await seedShard(shard, code, i + j, datasets);
        }),
      );
    }
    // Chosen now, not before: 200 instances on ephemeral ports could take it.
    const gatewayPort = await freePort();
    // Metrics' followers each read their position from its pool as they start: 200 at once need more than the default 4.
    const metrics = await startInstance(subgraphs.metrics, { serverUrl, databasePrefix: prefix, seed: false, port: 0, gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`, poolSize: 16 });
    instances.push(metrics);
    console.log(`started in ${((performance.now() - started) / 1000).toFixed(0)} s; heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);

    const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => issueDevToken({ sub: `bench-${i}`, role: Role.MINISTRY_ADMIN }, secrets)));
    for (const count of shardCounts) {
      const used = codes.slice(0, count);
      const gateway = await startGateway({
        supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
        secrets,
        topology: { subgraphs: { metrics: metrics.url }, shards: { catalogue: Object.fromEntries(used.map((code) => [code, shards.get(code)!.url])), feedback: {} } },
        port: gatewayPort,
      });
      try {
        const waitStarted = performance.now();
        while ((await indexedRows(metrics)) < count * datasets) {
          if (performance.now() - waitStarted > 300_000) throw new Error(`the index did not reach ${count * datasets} rows in 5 minutes`);
          await sleep(200);
        }
        console.log(`${count} shards: ${count * datasets} datasets indexed ${((performance.now() - waitStarted) / 1000).toFixed(1)} s after the gateway started routing them`);
        for (const [source, query] of Object.entries(QUERIES)) {
          rows.push({ shards: count, source, ...(await load(gateway.url, query, tokens, duration, connections)) });
          console.log(rows.at(-1));
        }
        const fromSent: number[] = [];
        const fromAnswer: number[] = [];
        for (let sample = 0; sample < LAG_SAMPLES; sample++) {
          const code = used[(sample * 7) % used.length];
          const identifier = `${code}-LAG-${count}-${sample}`;
          const input = { agencyCode: code, identifier, title: `延遲量測 ${sample}`, description: "延遲", category: "公共資訊", accrualPeriodicity: "每1年", resources: [] };
          let sent = performance.now();
          // A shard the load just had the health checks mark down is called again once a probe finds it ready.
          for (let attempt = 1; ; attempt++) {
            sent = performance.now();
            const answer = await post(gateway.url, "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }", tokens[sample % tokens.length], { input });
            if (!answer.errors) break;
            if (attempt === 20) throw new Error(`registerDataset failed: ${JSON.stringify(answer.errors).slice(0, 300)}`);
            await sleep(500);
          }
          const answered = performance.now();
          const em = metrics.orm.em.fork();
          while ((await em.getConnection().execute("select 1 from dataset_index where agency_code = ? and identifier = ?", [code, identifier])).length === 0) {
            if (performance.now() - sent > 60_000) throw new Error(`${identifier} was not indexed within 60 s`);
            await sleep(2);
          }
          const indexed = performance.now();
          fromSent.push(indexed - sent);
          fromAnswer.push(indexed - answered);
        }
        lags.push({
          shards: count,
          samples: LAG_SAMPLES,
          "sent→indexed p50 ms": Math.round(percentile(fromSent, 50)),
          "sent→indexed p99 ms": Math.round(percentile(fromSent, 99)),
          "answered→indexed p50 ms": Math.round(percentile(fromAnswer, 50)),
          "answered→indexed p99 ms": Math.round(percentile(fromAnswer, 99)),
        });
        console.log(lags.at(-1));
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    process.off("unhandledRejection", onRejection);
  }
  console.log(`\nfollower streams refused at start (CloseEvent rejections): ${streamRejections}`);
  console.log(`\nministry-wide listing (first: 20, MINISTRY_ADMIN), ${datasets} datasets per shard, ${connections} connections, ${duration} s per row, loopback`);
  console.table(rows.map((row) => ({ shards: row.shards, source: row.source, "p50 ms": row.p50, "p99 ms": row.p99, "req/s": row.requestsPerSecond, failed: row.failed })));
  console.log("\nthe index's lag behind a shard's commit (a dataset registered through the gateway, idle otherwise)");
  console.table(lags);
}
