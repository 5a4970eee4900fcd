/**
 * npm run bench -- router [--shards 1,9,40] [--datasets 300] [--duration 5] [--connections 16]
 * npm run bench -- feedback [--duration 10] [--connections 16]
 * npm run bench -- import [--rows 10000]
 * npm run bench -- security [--duration 5] [--connections 16]
 * npm run bench -- observability [--duration 5] [--connections 16] [--rounds 2]
 *
 * Latency (p50, p99) and throughput of the shard router on loopback:
 * - a fanned-out connection, `datasets(first: 20)`, merged across N shards;
 * - an entity-heavy query, `agencies { datasets { totalCount } }`: one
 *   metrics call, then one `_entities` batch split across N shards;
 * each against the same query sent straight to one shard. Every shard is a
 * real catalogue instance with its own database of --datasets datasets
 * (e.g. --shards 9 --datasets 11112 for 100,000 in all).
 *
 * feedback: public comments submitted through the gateway to two agencies'
 * shards as fast as they are acknowledged, while a subscriber follows
 * feedbackEvents: submissions per second, whether every acknowledged comment
 * was stored and delivered once (count in = count stored = count delivered),
 * and the delay from the event's transaction to its delivery (p50, p99).
 *
 * security: each attack of issue 12 (scripts/attacks.ts) against a gateway
 * over every agency's catalogue and feedback shard: its time to refusal
 * (median of 5) and code; then the README's cross-subgraph query
 * (`agencies { … }`) under load, on a gateway with the operation limits and
 * one without: what the protection costs.
 *
 * import: the platform's dataset list (22 columns, one or two resources a
 * row) imported into a fresh catalogue database, then imported again (every
 * row an update): rows per second.
 *
 * metrics: nine agencies' catalogue and feedback shards holding --datasets
 * datasets in all (default 100,000), each with its DatasetPublished event;
 * metrics starts empty and projects every shard's history: events applied
 * per second. Then `ministryProgress` through the gateway at --connections,
 * every request with its own viewer (p50, p99), and the delay from a
 * dataset's registration (request sent; its commit is before the answer) to
 * the `progressChanged` a gateway subscriber receives (p50, p99).
 * observability: the README's cross-subgraph query (agencies with their
 * datasets, feedback stats, panel representatives and targets; three
 * agencies' shards and the ministry subgraphs, seeded) through the gateway,
 * with its metrics and tracing off, with metrics on, and with both on
 * (spans batched over OTLP/HTTP to a local sink that accepts and drops
 * them), in alternating rounds. Subgraph metrics stay on throughout; tracing
 * on traces every instance in the process, as a deployment would.
 *
 * Each run is
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
import { stringify } from "csv-stringify/sync";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { issueDevToken } from "../gateway/auth";
import { startGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { importDatasetList } from "../subgraphs/catalogue/dataset-list";
import { PLATFORM_COLUMNS } from "../subgraphs/catalogue/platform-csv";
import { CLAIMS_HEADER, Role, signClaims } from "../contract/claims";
import { config, loadSecrets, projectRoot } from "../contract/config";
import { dropDatabases } from "../subgraphs/kit/database";
import { AGENCY_CODES } from "../contract/agencies";
import { ATTACKS, README_AGENCIES_QUERY } from "./attacks";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { freePort } from "../contract/listen";
import { startTracing } from "../contract/tracing";
import { benchDatastore } from "./bench-datastore";


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

async function seedShard(instance: RunningInstance, code: string, datasets: number): Promise<void> {
  await instance.orm.em.fork().getConnection().execute(
    `insert into dataset (id, agency_code, identifier, title, description, category, type, license, accrual_periodicity, issued, modified, lifecycle_state)
     select gen_random_uuid(), ?, ? || '-' || lpad(n::text, 6, '0'), '資料集 ' || n, '基準測試資料', '公共資訊', 'RAW_DATA', '政府資料開放授權條款-第1版', '每1年',
            date '2013-01-01' + (n * 7 % 1800), now(), 'PUBLISHED'
     from generate_series(1, ?) as n`,
    [code, code, datasets],
  );
}

interface BenchOptions {
  serverUrl: string;
  prefix: string;
  duration: number;
  connections: number;
  shardCounts: number[];
  rows: number;
  datasets: number;
  rounds: number;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      shards: { type: "string", default: "1,9,40" },
      duration: { type: "string" },
      connections: { type: "string", default: "16" },
      rows: { type: "string" },
      datasets: { type: "string" },
      rounds: { type: "string", default: "2" },
    },
  });
  const bench = { router: benchRouter, feedback: benchFeedback, import: benchImport, security: benchSecurity, observability: benchObservability, metrics: benchMetrics, datastore: benchDatastore }[positionals[0]];
  if (!bench) throw new Error("usage: npm run bench -- router|feedback|import|security|observability|metrics|datastore [--shards 1,9,40] [--duration S] [--connections 16] [--rows 10000] [--rounds 2] [--datasets N]");
  const postgres = config.databaseUrl ? undefined : await embeddedPostgres();
  const serverUrl = config.databaseUrl ?? postgres!.url;
  const prefix = `bench${randomBytes(3).toString("hex")}`;
  try {
    await bench({
      serverUrl,
      prefix,
      duration: Number(values.duration ?? (positionals[0] === "router" || positionals[0] === "observability" ? 5 : 10)),
      connections: Number(values.connections),
      shardCounts: values.shards!.split(",").map(Number),
      rows: Number(values.rows ?? (positionals[0] === "datastore" ? 1_000_000 : 10_000)),
      datasets: Number(values.datasets ?? (positionals[0] === "metrics" ? 100_000 : 300)),
      rounds: Number(values.rounds),
    });
  } finally {
    await dropDatabases(serverUrl, prefix);
    await postgres?.stop();
  }
}

async function benchRouter({ serverUrl, prefix, duration, connections, shardCounts, datasets }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = Array.from({ length: Math.max(...shardCounts) }, (_, i) => `B${String(i + 1).padStart(2, "0")}`);
  const measures: Measure[] = [];
  const instances: RunningInstance[] = [];
  try {
    console.log(`starting ${codes.length} catalogue shards with ${datasets} datasets each, and metrics…`);
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
      await seedShard(shard, code, datasets);
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
  }
  console.log(`\nshard router, ${datasets} datasets per shard, ${connections} connections, ${duration} s per row, loopback`);
  console.table(measures.map((m) => ({ scenario: m.scenario, shards: m.shards, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
}

async function benchFeedback({ serverUrl, prefix, duration, connections }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = ["MOJ", "ACA"];
  const shards = await Promise.all(codes.map((agencyCode) => startInstance(subgraphs.feedback, { agencyCode, serverUrl, databasePrefix: prefix, seed: false, port: 0 })));
  const gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets,
    topology: { subgraphs: {}, shards: { catalogue: {}, feedback: Object.fromEntries(codes.map((code, i) => [code, shards[i].url])) } },
    port: 0,
  });
  const token = await issueDevToken({ sub: "bench-admin", role: Role.MINISTRY_ADMIN }, secrets);
  const delays: number[] = [];
  const delivered = new Set<string>();
  const subscriber = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  subscriber.subscribe<{ feedbackEvents: { subjectId: string; type: string; occurredAt: string } }>(
    { query: "subscription { feedbackEvents { subjectId type occurredAt } }" },
    {
      next: ({ data }) => {
        if (data?.feedbackEvents.type !== "FeedbackReceived") return;
        delivered.add(data.feedbackEvents.subjectId);
        delays.push(Date.now() - new Date(data.feedbackEvents.occurredAt).getTime());
      },
      error: (error) => console.error("subscriber failed", error),
      complete: () => undefined,
    },
  );
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000));
  try {
    const acknowledged = new Set<string>();
    const result = await autocannon({
      url: gateway.url,
      connections,
      duration,
      requests: codes.map((agencyCode) => ({
        method: "POST" as const,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          query: "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }",
          variables: { input: { agencyCode, email: "bench@example.org", commentType: "資料內容有誤", title: "基準測試", body: "基準測試意見" } },
        }),
        onResponse: (status: number, body: string) => {
          const id = status === 200 ? (JSON.parse(body) as { data?: { submitFeedback?: { feedback: { id: string } } } }).data?.submitFeedback?.feedback.id : undefined;
          if (id) acknowledged.add(id);
        },
      })),
    });
    // Requests still in flight when the run ended may commit after it: let them, then compare.
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000));
    const storedIds = new Set(
      (await Promise.all(shards.map((shard) => shard.orm.em.fork().getConnection().execute<{ id: string }[]>("select id from feedback")))).flat().map((row) => row.id),
    );
    const deadline = Date.now() + 10_000;
    while (delivered.size < storedIds.size && Date.now() < deadline) await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
    const lost = [...acknowledged].filter((id) => !storedIds.has(id) || !delivered.has(id)).length;
    delays.sort((a, b) => a - b);
    const percentile = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] ?? NaN;
    console.log(`\nfeedback submissions through the gateway, ${connections} connections, ${duration} s, loopback`);
    console.table([
      {
        "submissions/s": Math.round(acknowledged.size / duration),
        acknowledged: acknowledged.size,
        stored: storedIds.size,
        delivered: delivered.size,
        "acknowledged but lost": lost,
        "p50 delay ms": percentile(50),
        "p99 delay ms": percentile(99),
        "http errors": result.errors + result.timeouts + result.non2xx,
      },
    ]);
  } finally {
    await subscriber.dispose();
    await gateway.stop();
    await Promise.all(shards.map((shard) => shard.stop()));
  }
}

async function benchObservability({ serverUrl, prefix, duration, connections, rounds }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = ["MOJ", "ACA", "AAC"];
  console.log(`starting the ministry subgraphs and the catalogue and feedback shards of ${codes.join(", ")}, seeded…`);
  const start = (name: string, agencyCode?: string) => startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, port: 0 });
  const [metrics, advisory, ...shards] = await Promise.all([start("metrics"), start("advisory"), ...codes.flatMap((code) => [start("catalogue", code), start("feedback", code)])]);
  const shardsOf = (name: string) => Object.fromEntries(codes.map((code) => [code, shards.find((s) => s.info.subgraph === name && s.info.agencyCode === code)!.url]));
  // An OTLP collector that accepts every batch and keeps nothing.
  let exportedBatches = 0;
  const sink = createServer((req, res) => {
    req.resume().on("end", () => {
      exportedBatches += 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolveListen) => sink.listen(0, "127.0.0.1", resolveListen));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const query = `{ agencies(codes: ${JSON.stringify(codes)}) {
    code name oid
    datasets(first: 2) { totalCount edges { node { identifier title issued } } }
    feedbackStats { received answered answeredOnTime overdue }
    panelRepresentatives { name affiliation }
    targets(year: 2018) { indicator value }
  } }`;
  const token = await issueDevToken({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets);
  const modes = [
    { mode: "metrics and tracing off", observability: false, tracing: false },
    { mode: "metrics on", observability: true, tracing: false },
    { mode: "metrics and tracing on", observability: true, tracing: true },
  ];
  const measures: (Omit<Measure, "scenario" | "shards"> & { mode: string; round: number })[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const { mode, observability, tracing } of modes) {
        const traces = tracing ? startTracing({ serviceName: "govgraph-bench", endpoint: sinkUrl }) : undefined;
        const gateway = await startGateway({
          supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
          secrets,
          topology: { subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards: { catalogue: shardsOf("catalogue"), feedback: shardsOf("feedback") } },
          port: 0,
          observability,
        });
        try {
          measures.push({ mode, round, ...(await load(gateway.url, { authorization: `Bearer ${token}` }, query, duration, connections)) });
        } finally {
          await gateway.stop();
          await traces?.stop();
        }
      }
    }
  } finally {
    sink.close();
    await Promise.all([metrics, advisory, ...shards].map((instance) => instance.stop()));
  }
  console.log(`\nthe README's cross-subgraph query (${codes.length} agencies) through the gateway, ${connections} connections, ${duration} s per row, loopback; ${exportedBatches} span batches exported`);
  console.table(measures.map((m) => ({ mode: m.mode, round: m.round, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
}

async function benchImport({ serverUrl, prefix, rows }: BenchOptions): Promise<void> {
  const csv =
    "\uFEFF" +
    stringify([
      [...PLATFORM_COLUMNS],
      ...Array.from({ length: rows }, (_, i) => {
        const two = i % 5 === 0;
        const values: Record<string, string> = {
          資料集識別碼: `ACA-B-${String(i).padStart(6, "0")}`,
          資料集名稱: `矯正統計 ${i}`,
          服務分類: "公共資訊",
          檔案格式: two ? "CSV;JSON" : "CSV",
          資料下載網址: two ? `https://example.gov.tw/${i}.csv;https://example.gov.tw/${i}.json` : `https://example.gov.tw/${i}.csv`,
          編碼格式: two ? "UTF-8;UTF-8" : "UTF-8",
          資料集描述: "基準測試資料集",
          更新頻率: "每1年",
          上架日期: "2016-01-01",
          詮釋資料更新時間: "2018-03-16 10:00:00",
        };
        return PLATFORM_COLUMNS.map((column) => values[column] ?? "");
      }),
    ]);
  const instance = await startInstance(subgraphs.catalogue, { agencyCode: "ACA", serverUrl, databasePrefix: prefix, seed: false, port: 0 });
  try {
    const measures = [];
    for (const pass of ["fresh", "again (updates)"]) {
      const started = performance.now();
      const report = await importDatasetList(instance.orm.em, "ACA", csv);
      const seconds = (performance.now() - started) / 1000;
      measures.push({ pass, rows: report.rows, created: report.created, updated: report.updated, rejected: report.rejected.length, seconds: Number(seconds.toFixed(1)), "rows/s": Math.round(report.rows / seconds) });
    }
    console.log(`\nimport of the platform's dataset list, ${rows} rows`);
    console.table(measures);
  } finally {
    await instance.stop();
  }
}

async function benchSecurity({ serverUrl, prefix, duration, connections }: BenchOptions): Promise<void> {
  const instances: RunningInstance[] = [];
  const gateways: { stop(): Promise<void> }[] = [];
  try {
    console.log(`starting metrics, advisory and ${AGENCY_CODES.length} agencies' catalogue and feedback shards…`);
    const start = (name: string, agencyCode?: string, seed = false) =>
      startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, seed, port: 0 }).then((instance) => (instances.push(instance), instance));
    const [metrics, advisory] = await Promise.all([start("metrics", undefined, true), start("advisory", undefined, true)]);
    const shards: Record<string, Record<string, string>> = { catalogue: {}, feedback: {} };
    for (const code of AGENCY_CODES) {
      for (const name of ["catalogue", "feedback"]) shards[name][code] = (await start(name, code)).url;
    }
    const topology = { subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards };
    const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
    const launch = async (operationLimits?: null) => {
      const gateway = await startGateway({ supergraph, secrets: loadSecrets(), topology, port: 0, operationLimits });
      gateways.push(gateway);
      return gateway;
    };
    const limited = await launch();
    const unlimited = await launch(null);
    const json = { "content-type": "application/json" };

    const refusals = [];
    for (const attack of ATTACKS) {
      const times: number[] = [];
      let code = "";
      for (let run = 0; run < 5; run += 1) {
        const started = performance.now();
        const response = await fetch(limited.url, { method: "POST", headers: json, body: JSON.stringify({ query: attack.query }) });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string; limit?: string } }[] };
        times.push(performance.now() - started);
        code = `${body.errors?.[0]?.extensions?.code ?? "none"} ${body.errors?.[0]?.extensions?.limit ?? ""}`.trim();
      }
      times.sort((a, b) => a - b);
      refusals.push({ attack: attack.name, "bytes": attack.query.length, "refusal ms (median of 5)": Number(times[2].toFixed(1)), answer: code });
    }
    console.log("\ntime to refusal, gateway with the operation limits");
    console.table(refusals);

    const throughput = [];
    for (const [limits, gateway] of [["with limits", limited], ["without limits", unlimited]] as const) {
      throughput.push({ gateway: limits, ...(await load(gateway.url, {}, README_AGENCIES_QUERY, duration, connections)) });
    }
    console.log(`\nthe README's agencies query, ${connections} connections, ${duration} s`);
    console.table(throughput.map((m) => ({ gateway: m.gateway, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

async function benchMetrics({ serverUrl, prefix, duration, connections, datasets }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = AGENCY_CODES;
  const start = (name: string, agencyCode?: string, gatewayUrl?: string) =>
    startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, seed: false, port: 0, gatewayUrl });
  const catalogues = await Promise.all(codes.map((code) => start("catalogue", code)));
  const feedbacks = await Promise.all(codes.map((code) => start("feedback", code)));
  const perShard = Math.ceil(datasets / codes.length);
  await Promise.all(
    catalogues.map(async (shard, i) => {
      await seedShard(shard, codes[i], perShard);
      await shard.orm.em.fork().getConnection().execute(
        `insert into outbox_event (id, type, subject_id, payload)
         select gen_random_uuid(), 'DatasetPublished', id::text, jsonb_build_object('agencyCode', agency_code, 'identifier', identifier, 'issued', issued::text)
         from dataset order by issued, identifier`,
      );
    }),
  );
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  const advisory = await start("advisory");
  const metrics = await start("metrics", undefined, gatewayUrl);
  const gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets,
    topology: {
      subgraphs: { metrics: metrics.url, advisory: advisory.url },
      shards: {
        catalogue: Object.fromEntries(codes.map((code, i) => [code, catalogues[i].url])),
        feedback: Object.fromEntries(codes.map((code, i) => [code, feedbacks[i].url])),
      },
    },
    port: gatewayPort,
  });
  // Metrics finds the shards at its first look at the gateway's routing table after this (GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS).
  const started = performance.now();
  const subscriber = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket });
  try {
    const total = catalogues.length * perShard;
    const projected = async () =>
      Number((await metrics.orm.em.fork().getConnection().execute<{ n: string }[]>("select coalesce(sum(seq), 0)::text as n from projection_position where subgraph = 'catalogue'"))[0].n);
    while ((await projected()) < total) await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
    const projectionSeconds = (performance.now() - started) / 1000;

    const query = `{ ministryProgress { datasetsOnPlatform openedByYear { year count } badgeDistribution { level count } repliedWithinDeadlineShare figures { indicator actual target gap } } }`;
    const tokens = await Promise.all(Array.from({ length: 500 }, (_, i) => issueDevToken({ sub: `bench-viewer-${i}`, role: Role.PUBLIC }, secrets)));
    let next = 0;
    const body = JSON.stringify({ query });
    await post(gateway.url, { authorization: `Bearer ${tokens[0]}` }, query);
    const run = (seconds: number) =>
      autocannon({
        url: gateway.url,
        connections,
        duration: seconds,
        requests: [{ method: "POST" as const, setupRequest: (request) => Object.assign(request, { headers: { "content-type": "application/json", authorization: `Bearer ${tokens[next++ % tokens.length]}` }, body }) }],
      });
    await run(1);
    const result = await run(duration);
    console.log(`\nmetrics: ${codes.length} catalogue + ${codes.length} feedback shards, ${total} datasets, ${connections} connections, ${duration} s, loopback`);
    console.table([
      {
        "events projected": total,
        "projection s": Number(projectionSeconds.toFixed(1)),
        "events/s": Math.round(total / projectionSeconds),
        "ministryProgress p50 ms": result.latency.p50,
        "ministryProgress p99 ms": result.latency.p99,
        "ministryProgress req/s": Math.round(result.requests.average),
        "http errors": result.errors + result.timeouts + result.non2xx,
      },
    ]);

    let waiting: ((at: number) => void) | undefined;
    subscriber.subscribe<{ progressChanged: { cause: string } }>(
      { query: `subscription { progressChanged(agencyCodes: ["MOJ"]) { cause } }` },
      { next: ({ data }) => data?.progressChanged.cause === "DatasetPublished" && waiting?.(Date.now()), error: (error) => console.error("subscriber failed", error), complete: () => undefined },
    );
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 1000));
    const staff = await issueDevToken({ sub: "bench-staff", role: Role.AGENCY_STAFF, agencyCode: "MOJ" }, secrets);
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      const arrived = new Promise<number>((resolveArrival) => (waiting = resolveArrival));
      const sent = Date.now();
      await post(gateway.url, { authorization: `Bearer ${staff}` }, `mutation { registerDataset(input: { agencyCode: "MOJ", identifier: "MOJ-BENCH-${i}", title: "基準", description: "d", category: "公共資訊", accrualPeriodicity: "每1年", resources: [] }) { dataset { id } } }`);
      const at = await Promise.race([arrived, new Promise<number>((resolveTimeout) => setTimeout(() => resolveTimeout(NaN), 5000))]);
      delays.push(at - sent);
    }
    delays.sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
    const percentile = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
    console.log("\na dataset registered through the gateway → progressChanged at a gateway subscriber, 50 in a row");
    console.table([{ "p50 ms": percentile(50), "p99 ms": percentile(99), missed: delays.filter(Number.isNaN).length }]);
  } finally {
    await subscriber.dispose();
    await gateway.stop();
    await Promise.all([...catalogues, ...feedbacks, metrics, advisory].map((instance) => instance.stop()));
  }
}
