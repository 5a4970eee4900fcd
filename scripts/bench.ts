/**
 * npm run bench -- router [--shards 1,9,40] [--duration 5] [--connections 16]
 *
 * Latency (p50, p99) and throughput of the shard router on loopback:
 * - a fanned-out connection, `datasets(first: 20)`, merged across N shards;
 * - an entity-heavy query, `agencies { datasets { totalCount } }`: one
 *   metrics call, then one `_entities` batch split across N shards;
 * each against the same query sent straight to one shard. Every shard is a
 * real catalogue instance with its own database of 300 datasets. Each run is
 * bounded in time (after a 1 s warm-up), targets 127.0.0.1 only, and stops by
 * itself. Load generator, gateway and shards share this process and its
 * cores: compare rows with each other, not with a deployment.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { issueDevToken } from "../gateway/auth";
import { startGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { CLAIMS_HEADER, Role, signClaims } from "../subgraphs/kit/claims";
import { config, loadSecrets, projectRoot } from "../subgraphs/kit/config";
import { dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";

const DATASETS_PER_SHARD = 300;

interface Measure {
  scenario: string;
  shards: number | "direct";
  p50: number;
  p99: number;
  requestsPerSecond: number;
  failed: number;
}

async function embeddedPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const module = (await import(pathToFileURL(join(projectRoot, "scripts", "embedded-postgres.mjs")).href)) as {
    startEmbeddedPostgres(options: { dir: string; port: number; persistent: boolean }): Promise<{ url: string; stop(): Promise<void> }>;
  };
  return module.startEmbeddedPostgres({ dir: mkdtempSync(join(tmpdir(), "govgraph-bench-pg-")), port: config.embeddedPostgresPort + 1, persistent: false });
}

async function post(url: string, headers: Record<string, string>, query: string): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`sanity request failed: ${JSON.stringify(body).slice(0, 300)}`);
}

async function load(url: string, headers: Record<string, string>, query: string, duration: number, connections: number) {
  await post(url, headers, query);
  const run = (seconds: number) =>
    autocannon({ url, method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }), connections, duration: seconds });
  await run(1); // warm-up, not measured
  const result = await run(duration);
  return { p50: result.latency.p50, p99: result.latency.p99, requestsPerSecond: Math.round(result.requests.average), failed: result.errors + result.timeouts + result.non2xx };
}

async function seedShard(instance: RunningInstance, code: string): Promise<void> {
  await instance.orm.em.fork().getConnection().execute(
    `insert into dataset (id, agency_code, identifier, title, description, category, type, license, accrual_periodicity, issued, modified, lifecycle_state)
     select gen_random_uuid(), ?, ? || '-' || lpad(n::text, 6, '0'), '資料集 ' || n, '基準測試資料', '公共資訊', 'RAW_DATA', '政府資料開放授權條款-第1版', '每1年',
            date '2013-01-01' + (n * 7 % 1800), now(), 'PUBLISHED'
     from generate_series(1, ?) as n`,
    [code, code, DATASETS_PER_SHARD],
  );
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { shards: { type: "string", default: "1,9,40" }, duration: { type: "string", default: "5" }, connections: { type: "string", default: "16" } },
  });
  if (positionals[0] !== "router") throw new Error("usage: npm run bench -- router [--shards 1,9,40] [--duration 5] [--connections 16]");
  const shardCounts = values.shards!.split(",").map(Number);
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const postgres = config.databaseUrl ? undefined : await embeddedPostgres();
  const serverUrl = config.databaseUrl ?? postgres!.url;
  const prefix = `bench${randomBytes(3).toString("hex")}`;
  const secrets = loadSecrets();
  const codes = Array.from({ length: Math.max(...shardCounts) }, (_, i) => `B${String(i + 1).padStart(2, "0")}`);
  const measures: Measure[] = [];
  const instances: RunningInstance[] = [];
  try {
    console.log(`starting ${codes.length} catalogue shards with ${DATASETS_PER_SHARD} datasets each, and metrics…`);
    const metrics = await startInstance(subgraphs.metrics, { serverUrl, databasePrefix: prefix, seed: false, port: 0 });
    instances.push(metrics);
    await metrics.orm.em.fork().getConnection().execute(
      `insert into agency (code, name, name_en, oid, position) select code, code, code, '2.16.886.0.' || ord, ord from unnest(string_to_array(?, ',')) with ordinality as t(code, ord)`,
      [codes.join(",")],
    );
    const shards = new Map<string, RunningInstance>();
    for (const code of codes) {
      const shard = await startInstance(subgraphs.catalogue, { agencyCode: code, serverUrl, databasePrefix: prefix, seed: false, port: 0 });
      instances.push(shard);
      shards.set(code, shard);
      await seedShard(shard, code);
    }

    const claims = await signClaims({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets.internalSecret, 3600);
    const direct = { [CLAIMS_HEADER]: claims };
    const connectionQuery = "{ datasets(first: 20) { totalCount edges { cursor node { identifier title issued } } pageInfo { hasNextPage endCursor } } }";
    const first = shards.get(codes[0])!;
    measures.push({ scenario: "connection", shards: "direct", ...(await load(first.url, direct, connectionQuery, duration, connections)) });
    measures.push({
      scenario: "entities",
      shards: "direct",
      ...(await load(first.url, direct, `{ _entities(representations: [{ __typename: "Agency", code: "${codes[0]}" }]) { ... on Agency { datasets(first: 2) { totalCount } } } }`, duration, connections)),
    });

    const token = await issueDevToken({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets);
    const bearer = { authorization: `Bearer ${token}` };
    for (const count of shardCounts) {
      const used = codes.slice(0, count);
      const gateway = await startGateway({
        supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
        secrets,
        topology: { subgraphs: { metrics: metrics.url }, shards: { catalogue: Object.fromEntries(used.map((code) => [code, shards.get(code)!.url])), feedback: {} } },
        port: 0,
      });
      try {
        measures.push({ scenario: "connection", shards: count, ...(await load(gateway.url, bearer, connectionQuery, duration, connections)) });
        const entitiesQuery = `{ agencies(codes: ${JSON.stringify(used)}) { code datasets(first: 2) { totalCount } } }`;
        measures.push({ scenario: "entities", shards: count, ...(await load(gateway.url, bearer, entitiesQuery, duration, connections)) });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await dropDatabases(serverUrl, prefix);
    await postgres?.stop();
  }
  console.log(`\nshard router, ${connections} connections, ${duration} s per row, loopback`);
  console.table(measures.map((m) => ({ scenario: m.scenario, shards: m.shards, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
