import { createClient } from "graphql-ws";
import { Client } from "pg";
import WebSocket from "ws";
import { issueDevToken } from "../../gateway/auth";
import { AGENCY_CODES } from "../../contract/agencies";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { loadSecrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { databaseName, databaseUrl } from "../../subgraphs/kit/database";
import { printProfile, profiledProcess } from "./profile";
import { ServerGroup, startAgencyShards, startGatewayProcess, startSubgraphProcess } from "../server-process";
import { deployedEnv, load, percentile, post, prepareDatabase, seedShard, WARM_UP_SECONDS, type BenchOptions } from "./shared";

/**
 * npm run bench -- metrics [--datasets 100000] [--duration 10] [--connections 16] [--profile]
 *
 * The ministry's progress over nine agencies: how fast metrics projects the shards' history (events/s), what
 * `ministryProgress` costs at metrics and through the gateway (every request its own viewer), and the delay from a
 * dataset registered through the gateway to `progressChanged` at a gateway subscriber. Every server is a process of
 * its own, as deployed (each agency's shards, advisory, metrics, the gateway), in production mode: this process only
 * generates the load. Metrics follows the routing table at the image's default interval (`npm run bench` shortens
 * it for the other scenarios); --profile samples it over the direct run, through its inspector.
 */
export async function benchMetrics({ serverUrl, prefix, duration, connections, datasets, profile }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = AGENCY_CODES;
  const perShard = Math.ceil(datasets / codes.length);
  const total = codes.length * perShard;
  console.log(`preparing ${codes.length} agencies' catalogue databases (${perShard} published datasets each), their feedback databases and advisory's…`);
  await Promise.all(
    codes.map((code) =>
      prepareDatabase(serverUrl, prefix, "catalogue", code, (catalogue) => seedShard(catalogue, code, perShard)),
    ),
  );
  await Promise.all([...codes.map((code) => prepareDatabase(serverUrl, prefix, "feedback", code)), prepareDatabase(serverUrl, prefix, "advisory", undefined)]);

  const servers = new ServerGroup();
  const env = deployedEnv(secrets);
  const gatewayPort = await freePort();
  const inspectPort = profile ? await freePort() : undefined;
  const metricsDatabase = new Client({ connectionString: databaseUrl(serverUrl, databaseName("metrics", undefined, prefix)) });
  let subscriber: ReturnType<typeof createClient> | undefined;
  try {
    const subgraph = (spec: string, extra: Record<string, string | undefined> = {}, nodeOptions: string[] = []) =>
      servers.add(startSubgraphProcess(spec, { serverUrl, databasePrefix: prefix, env: { ...env, ...extra }, nodeOptions }));
    const shards = await startAgencyShards(codes, subgraph);
    const advisory = await subgraph("advisory");
    const metrics = await subgraph(
      "metrics",
      { GOVGRAPH_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}/graphql`, GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS: undefined },
      inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [],
    );
    await metricsDatabase.connect();
    const gateway = await servers.add(startGatewayProcess({ subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards: shards.routing() }, { port: gatewayPort, env }));
    subscriber = createClient({ url: gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket });

    const projected = async () =>
      Number((await metricsDatabase.query<{ n: string }>("select coalesce(sum(seq), 0)::text as n from projection_position where subgraph = 'catalogue'")).rows[0].n);
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
    const meters = { metrics: metrics.cpuMs, gateway: gateway.cpuMs };
    // Warmed for WARM_UP_SECONDS (shared.ts): the gateway has answered nothing yet.
    const options = { meters, warmUpSeconds: WARM_UP_SECONDS };
    const runDirect = () => load(metrics.url, claims, query, duration, connections, options);
    const profiledDirect = inspectPort ? await profiledProcess(inspectPort, "metrics-direct", runDirect) : null;
    const direct = profiledDirect ? profiledDirect.result : await runDirect();
    const throughGateway = await load(gateway.url, bearers, query, duration, connections, options);
    console.log(`\nmetrics: ${codes.length} catalogue + ${codes.length} feedback shards, ${total} datasets, ${connections} connections, ${duration} s, loopback, every server a process of its own`);
    console.table([{ "events projected": total, "after the first batch, s": Number(projectionSeconds.toFixed(1)), "events/s": Math.round((total - first) / projectionSeconds) }]);
    if (profiledDirect) printProfile("CPU profile of the metrics process during the direct run (warm-up included)", profiledDirect.file);
    console.log("ministryProgress, every request its own viewer; CPU per answer of the metrics and the gateway processes");
    console.table(
      [
        { path: "metrics subgraph, direct", ...direct },
        { path: "through the gateway", ...throughGateway },
      ].map(({ path, p50, p99, requestsPerSecond, failed, cpuMsPerRequestOf }) => ({
        path,
        "p50 ms": p50,
        "p99 ms": p99,
        "req/s": requestsPerSecond,
        "metrics CPU ms/answer": cpuMsPerRequestOf.metrics,
        "gateway CPU ms/answer": cpuMsPerRequestOf.gateway,
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
    console.log("\na dataset registered through the gateway → progressChanged at a gateway subscriber, 50 in a row");
    console.table([{ "p50 ms": percentile(delays, 50), "p99 ms": percentile(delays, 99), missed: delays.filter(Number.isNaN).length }]);
  } finally {
    await subscriber?.dispose();
    await metricsDatabase.end();
    await servers.stop();
  }
}
