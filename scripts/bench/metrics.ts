import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "graphql-ws";
import { Client } from "pg";
import WebSocket from "ws";
import { issueDevToken } from "../../gateway/auth";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { AGENCY_CODES } from "../../contract/agencies";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { databaseName, databaseUrl } from "../../subgraphs/kit/database";
import { startInstance } from "../../subgraphs/kit/server";
import { profiledProcess, topSelfTime } from "./profile";
import { startSubgraphProcess } from "../server-process";
import { load, post, seedShard, type BenchOptions } from "./shared";

/**
 * Metrics in a process of its own, as deployed: in the bench's process it would share an event loop with the load
 * generator; and as the container image runs it: in production mode, following the routing table at the default
 * interval (`npm run bench` shortens it for the other scenarios). To be profiled, it listens for an inspector on
 * `inspectPort`.
 */
async function startMetricsProcess({ serverUrl, prefix, gatewayUrl, inspectPort }: { serverUrl: string; prefix: string; gatewayUrl: string; inspectPort?: number }) {
  const child = await startSubgraphProcess("metrics", {
    serverUrl,
    databasePrefix: prefix,
    env: { GOVGRAPH_GATEWAY_URL: gatewayUrl, NODE_ENV: "production", GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS: undefined },
    nodeOptions: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
  });
  const database = new Client({ connectionString: databaseUrl(serverUrl, databaseName("metrics", undefined, prefix)) });
  await database.connect();
  return {
    ...child,
    sql: async <T extends object>(text: string) => (await database.query<T>(text)).rows,
    async stop() {
      await database.end();
      await child.stop();
    },
  };
}

export async function benchMetrics({ serverUrl, prefix, duration, connections, datasets, profile }: BenchOptions): Promise<void> {
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
  const inspectPort = profile ? await freePort() : undefined;
  const metrics = await startMetricsProcess({ serverUrl, prefix, gatewayUrl, inspectPort });
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
  const subscriber = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket });
  try {
    const total = catalogues.length * perShard;
    const projected = async () => Number((await metrics.sql<{ n: string }>("select coalesce(sum(seq), 0)::text as n from projection_position where subgraph = 'catalogue'"))[0].n);
    const pause = () => new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
    // Metrics finds the shards at its first look at the gateway's routing table (every 5 s by default): the
    // throughput counts from the first batch it applied to the last.
    let first = 0;
    while ((first = await projected()) === 0) await pause();
    const started = performance.now();
    while ((await projected()) < total) await pause();
    const projectionSeconds = (performance.now() - started) / 1000;

    const query = `{ ministryProgress { datasetsOnPlatform openedByYear { year count } badgeDistribution { level count } repliedWithinDeadlineShare figures { indicator actual target gap } } }`;
    // Every request its own viewer: 500 users' tokens for the gateway, the same viewers' signed claims for metrics itself.
    const viewers = Array.from({ length: 500 }, (_, i) => ({ sub: `bench-viewer-${i}`, role: Role.PUBLIC }));
    const bearers = await Promise.all(viewers.map(async (viewer) => ({ authorization: `Bearer ${await issueDevToken(viewer, secrets)}` })));
    const claims = await Promise.all(viewers.map(async (viewer) => ({ [CLAIMS_HEADER]: await signClaims(viewer, secrets.internalSecret, 3600) })));
    const runDirect = async () => {
      const measured = await load(metrics.url, claims, query, duration, connections, { meters: { metrics: metrics.cpuMs } });
      return { ...measured, metricsCpuMsPerRequest: measured.cpuMsPerRequestOf.metrics };
    };
    const profiledDirect = inspectPort ? await profiledProcess(inspectPort, "metrics-direct", runDirect) : null;
    const direct = profiledDirect ? profiledDirect.result : await runDirect();
    const throughGateway = await load(gateway.url, bearers, query, duration, connections);
    console.log(`\nmetrics: ${codes.length} catalogue + ${codes.length} feedback shards, ${total} datasets, ${connections} connections, ${duration} s, loopback`);
    console.table([{ "events projected": total, "after the first batch, s": Number(projectionSeconds.toFixed(1)), "events/s": Math.round((total - first) / projectionSeconds) }]);
    if (profiledDirect) {
      console.log(`CPU profile of the metrics process during the direct run (warm-up included): ${profiledDirect.file}`);
      console.table(topSelfTime(profiledDirect.file, 15, "area"));
      console.table(topSelfTime(profiledDirect.file, 25));
    }
    console.log("ministryProgress, every request its own viewer (metrics runs in its own process; CPU per answer: the metrics process's, and this process's: load generator, gateway, shards)");
    console.table(
      [
        { path: "metrics subgraph, direct", ...direct },
        { path: "through the gateway", ...throughGateway, metricsCpuMsPerRequest: NaN },
      ].map(({ path, p50, p99, requestsPerSecond, failed, cpuMsPerRequest, metricsCpuMsPerRequest }) => ({
        path,
        "p50 ms": p50,
        "p99 ms": p99,
        "req/s": requestsPerSecond,
        "metrics CPU ms/answer": metricsCpuMsPerRequest,
        "bench process CPU ms/answer": cpuMsPerRequest,
        failed,
      })),
    );

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
    await Promise.all([...catalogues, ...feedbacks, advisory].map((instance) => instance.stop()));
    await metrics.stop();
  }
}
