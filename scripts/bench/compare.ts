/**
 * compare (the default): GovGraph beside a floor and its peers, in one run,
 * every request from its own viewer (a distinct token or signed claims per
 * request, so no engine merges identical requests in flight):
 * - the page `datasets(agencyCodes: ["MOJ"], first: 20)` from
 *   a floor (node:http + pg running the shard's own statements and writing
 *   the same JSON), the MOJ catalogue shard direct, GovGraph's gateway, the
 *   plain Hive Gateway runtime and Apollo Gateway (same supergraph, pointed
 *   at MOJ's shards: a one-agency topology, so the three are comparable);
 * - the cross-subgraph query `agencies(codes: ["MOJ"]) { datasets(first: 5)
 *   { totalCount } feedbackStats { received } }` through the three gateways;
 * - on GovGraph over all nine agencies: the page fanned out to 9 shards, the
 *   same page from MOJ's shard, and the cross-subgraph query for the nine.
 * Then the ratios issue 15 sets goals for. With --profile, the shard, the
 * gateway and the fanned-out rows are also CPU-profiled (the profiler slows
 * them: read those rows' figures as the profile's, not as the comparison's).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { createGatewayRuntime } from "@graphql-hive/gateway-runtime";
import httpTransport from "@graphql-mesh/transport-http";
import { Pool, types } from "pg";
import { issueDevToken } from "../../gateway/auth";
import { startGateway, type RunningGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { AGENCY_CODES } from "../../contract/agencies";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { encodeCursor } from "../../contract/cursor";
import { databaseUrl } from "../../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";
import { profiled, topSelfTime } from "./profile";
import { load, seedDirectory, seedShard, type BenchOptions } from "./shared";

const PAGE_SELECTION = "totalCount edges { cursor node { identifier title issued } } pageInfo { hasNextPage endCursor }";
const pageQuery = (agencyCodes?: readonly string[]) =>
  `{ datasets(${agencyCodes ? `agencyCodes: ${JSON.stringify(agencyCodes)}, ` : ""}first: 20) { ${PAGE_SELECTION} } }`;
const crossQuery = (codes: readonly string[]) => `{ agencies(codes: ${JSON.stringify(codes)}) { datasets(first: 5) { totalCount } feedbackStats { received } } }`;
const VIEWERS = 500;

interface Listening {
  url: string;
  stop(): Promise<void>;
}

async function serve(server: Server): Promise<Listening> {
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    stop: () => new Promise<void>((resolveClose) => { server.close(() => resolveClose()); server.closeAllConnections(); }),
  };
}

/**
 * The floor: what answering the page costs with nothing but node:http and pg.
 * The statements are the catalogue shard's for a public viewer (its page and
 * its count, in parallel), on a pool of the shard's size.
 */
async function startFloor(shard: RunningInstance, serverUrl: string, poolSize: number): Promise<Listening> {
  const pool = new Pool({
    connectionString: databaseUrl(serverUrl, shard.database),
    max: poolSize,
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === types.builtins.DATE ? (value: string) => value : types.getTypeParser(oid, format))) as never },
  });
  const where = "where d0.agency_code = $1 and d0.lifecycle_state in ($2)";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const [page, count] = await Promise.all([
        pool.query(`select d0.* from dataset as d0 ${where} order by d0.issued desc, d0.identifier asc limit $3`, ["MOJ", "PUBLISHED", 21]),
        pool.query(`select count(*) as count from dataset as d0 ${where}`, ["MOJ", "PUBLISHED"]),
      ]);
      const edges = page.rows.slice(0, 20).map((row: { identifier: string; title: string; issued: string }) => ({
        cursor: encodeCursor({ order: "PUBLISHED_DESC", values: [row.issued, row.identifier], directions: ["desc", "asc"] }),
        node: { identifier: row.identifier, title: row.title, issued: row.issued },
      }));
      const datasets = { totalCount: Number(count.rows[0].count), edges, pageInfo: { hasNextPage: page.rows.length > 20, endCursor: edges.at(-1)?.cursor ?? null } };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { datasets } }));
    });
  });
  const listening = await serve(server);
  return { url: listening.url, stop: async () => { await listening.stop(); await pool.end(); } };
}

/** Where the peers send each subgraph's requests. Both forward the client's signed claims unchanged, so each request reaches the shard as its own viewer. */
type SubgraphUrls = Record<string, string>;

/** The plain Hive Gateway runtime: the supergraph, http transport to the given URLs, and nothing of GovGraph's. */
async function startPlainHive(supergraph: string, urls: SubgraphUrls): Promise<Listening> {
  const runtime = createGatewayRuntime({
    supergraph,
    transports: { http: httpTransport },
    transportEntries: Object.fromEntries(Object.entries(urls).map(([name, location]) => [name, { location }])),
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ [CLAIMS_HEADER]: request.headers.get(CLAIMS_HEADER) ?? "" }) },
    logging: false,
    landingPage: false,
    graphqlEndpoint: "/graphql",
  });
  const listening = await serve(createServer(runtime));
  return { url: listening.url, stop: async () => { await listening.stop(); await runtime.dispose(); } };
}

/** Apollo Gateway with Apollo Server 5 on the supergraph's SDL. */
async function startApolloGateway(supergraph: string, urls: SubgraphUrls): Promise<Listening> {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ name }) =>
      new RemoteGraphQLDataSource<{ claims?: string }>({
        url: urls[name],
        willSendRequest: ({ request, context }) => void request.http?.headers.set(CLAIMS_HEADER, context.claims ?? ""),
      }),
  });
  const server = new ApolloServer<{ claims?: string }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({ claims: typeof req.headers[CLAIMS_HEADER] === "string" ? req.headers[CLAIMS_HEADER] : undefined }),
  });
  return { url, stop: () => server.stop() };
}

interface Row {
  row: string;
  query: string;
  p50: number;
  p99: number;
  requestsPerSecond: number;
  failed: number;
  cpuMsPerRequest: number;
}

export async function benchCompare({ serverUrl, prefix, duration, connections, datasets, profile }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
  const codes = AGENCY_CODES;
  const started: { stop(): Promise<void> }[] = [];
  const rows: Row[] = [];
  const profiles: { row: string; file: string }[] = [];
  try {
    console.log(`starting metrics and ${codes.length} agencies' catalogue and feedback shards, ${datasets} datasets and ${datasets} comments each…`);
    const start = (name: string, agencyCode?: string) =>
      startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, seed: false, port: 0 }).then((instance) => (started.push(instance), instance));
    const metrics = await start("metrics");
    await seedDirectory(metrics, codes);
    const catalogues = new Map<string, RunningInstance>();
    const feedbacks = new Map<string, RunningInstance>();
    for (const code of codes) {
      const [catalogue, feedback] = await Promise.all([start("catalogue", code), start("feedback", code)]);
      catalogues.set(code, catalogue);
      feedbacks.set(code, feedback);
      await seedShard(catalogue, code, datasets);
      await seedFeedback(feedback, code, datasets);
    }
    const urlsOf = (instances: Map<string, RunningInstance>, chosen: readonly string[]) => Object.fromEntries(chosen.map((code) => [code, instances.get(code)!.url]));
    const topology = (chosen: readonly string[]) => ({
      subgraphs: { metrics: metrics.url },
      shards: { catalogue: urlsOf(catalogues, chosen), feedback: urlsOf(feedbacks, chosen) },
    });
    const launch = async <T extends { stop(): Promise<void> }>(server: Promise<T>) => {
      const running = await server;
      started.push(running);
      return running;
    };

    const viewers = Array.from({ length: VIEWERS }, (_, i) => ({ sub: `bench-viewer-${i}`, role: Role.PUBLIC }));
    const bearers = await Promise.all(viewers.map(async (viewer) => ({ authorization: `Bearer ${await issueDevToken(viewer, secrets)}` })));
    const claims = await Promise.all(viewers.map(async (viewer) => ({ [CLAIMS_HEADER]: await signClaims(viewer, secrets.internalSecret, 3600) })));

    const moj = ["MOJ"];
    const mojUrls = { catalogue: catalogues.get("MOJ")!.url, feedback: feedbacks.get("MOJ")!.url, metrics: metrics.url };
    const floor = await launch(startFloor(catalogues.get("MOJ")!, serverUrl, Number(process.env.GOVGRAPH_DB_POOL_SIZE ?? 4)));
    // The shard timeout also bounds the health probes: on a loaded machine, 5 s would mark busy shards down mid-run.
    const gatewayOptions = { supergraph, secrets, port: 0, shardTimeoutMs: 60_000 };
    const govgraph: RunningGateway = await launch(startGateway({ ...gatewayOptions, topology: topology(moj) }));
    const hive = await launch(startPlainHive(supergraph, mojUrls));
    const apollo = await launch(startApolloGateway(supergraph, mojUrls));
    const govgraphNine: RunningGateway = await launch(startGateway({ ...gatewayOptions, topology: topology(codes) }));

    const measure = async (row: string, query: string, url: string, headers: Record<string, string>[], profileAs?: string) => {
      process.stdout.write(`  ${row}: ${query.slice(0, 60)}…\n`);
      const run = () => load(url, headers, query, duration, connections);
      let result: Awaited<ReturnType<typeof run>>;
      if (profile && profileAs) {
        const done = await profiled(profileAs, run);
        profiles.push({ row, file: done.file });
        result = done.result;
      } else {
        result = await run();
      }
      rows.push({ row, query: query.includes("agencies") ? "cross-subgraph" : "page", ...result });
      return result;
    };
    console.log(`measuring, ${connections} connections, ${duration} s a row after 1 s of warm-up, ${VIEWERS} viewers in turn:`);
    const page = pageQuery(moj);
    const floorPage = await measure("floor (node:http + pg)", page, floor.url, claims);
    const shardPage = await measure("MOJ catalogue shard, direct", page, catalogues.get("MOJ")!.url, claims, "shard");
    const govgraphPage = await measure("GovGraph gateway (MOJ shards)", page, govgraph.url, bearers, "gateway");
    const hivePage = await measure("plain Hive runtime (MOJ shards)", page, hive.url, claims);
    const apolloPage = await measure("Apollo Gateway 2.14 (MOJ shards)", page, apollo.url, claims);
    const govgraphCross = await measure("GovGraph gateway (MOJ shards)", crossQuery(moj), govgraph.url, bearers);
    const hiveCross = await measure("plain Hive runtime (MOJ shards)", crossQuery(moj), hive.url, claims);
    const apolloCross = await measure("Apollo Gateway 2.14 (MOJ shards)", crossQuery(moj), apollo.url, claims);
    const oneOfNine = await measure("GovGraph, 9 agencies: MOJ's page", page, govgraphNine.url, bearers);
    const fanned = await measure("GovGraph, 9 agencies: page fanned out", pageQuery(), govgraphNine.url, bearers, "fan-out");
    await measure("GovGraph, 9 agencies: cross-subgraph", crossQuery(codes), govgraphNine.url, bearers);

    console.log(`\ncompare: ${datasets} datasets and comments per shard, ${connections} connections, ${duration} s per row, loopback, one process${profile ? " (profiled rows slowed by the profiler)" : ""}`);
    console.table(rows.map((r) => ({ "": r.row, query: r.query, "req/s": r.requestsPerSecond, "p50 ms": r.p50, "p99 ms": r.p99, "CPU ms/req": r.cpuMsPerRequest, failed: r.failed })));
    const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
    console.table([
      { ratio: "shard / floor, req/s (goal ≥ 0.5)", value: ratio(shardPage.requestsPerSecond, floorPage.requestsPerSecond) },
      { ratio: "GovGraph / Apollo Gateway, req/s, page (goal ≥ 1.2)", value: ratio(govgraphPage.requestsPerSecond, apolloPage.requestsPerSecond) },
      { ratio: "GovGraph / Apollo Gateway, req/s, cross-subgraph (goal ≥ 1.2)", value: ratio(govgraphCross.requestsPerSecond, apolloCross.requestsPerSecond) },
      { ratio: "GovGraph / plain Hive, req/s, page (goal ≥ 1.0)", value: ratio(govgraphPage.requestsPerSecond, hivePage.requestsPerSecond) },
      { ratio: "GovGraph / plain Hive, req/s, cross-subgraph (goal ≥ 1.0)", value: ratio(govgraphCross.requestsPerSecond, hiveCross.requestsPerSecond) },
      { ratio: "fan-out over 9 / one shard, p50 (goal ≤ 2)", value: ratio(fanned.p50, oneOfNine.p50) },
      { ratio: "fan-out over 9 / one shard, req/s (goal ≥ 0.5)", value: ratio(fanned.requestsPerSecond, oneOfNine.requestsPerSecond) },
      // On a shared machine whose load starves this process, CPU per answer gives the same comparisons, unaffected by the other load.
      { ratio: "floor / shard, CPU per answer (goal ≥ 0.5)", value: ratio(floorPage.cpuMsPerRequest, shardPage.cpuMsPerRequest) },
      { ratio: "Apollo Gateway / GovGraph, CPU per answer, page (goal ≥ 1.2)", value: ratio(apolloPage.cpuMsPerRequest, govgraphPage.cpuMsPerRequest) },
      { ratio: "plain Hive / GovGraph, CPU per answer, page (goal ≥ 1.0)", value: ratio(hivePage.cpuMsPerRequest, govgraphPage.cpuMsPerRequest) },
      { ratio: "Apollo Gateway / GovGraph, CPU per answer, cross-subgraph (goal ≥ 1.2)", value: ratio(apolloCross.cpuMsPerRequest, govgraphCross.cpuMsPerRequest) },
      { ratio: "plain Hive / GovGraph, CPU per answer, cross-subgraph (goal ≥ 1.0)", value: ratio(hiveCross.cpuMsPerRequest, govgraphCross.cpuMsPerRequest) },
      { ratio: "fan-out over 9 / one shard, CPU per answer (cf. the p50 goal ≤ 2)", value: ratio(fanned.cpuMsPerRequest, oneOfNine.cpuMsPerRequest) },
    ]);
    for (const { row, file } of profiles) {
      console.log(`\nCPU profile of "${row}" (${file}), top self time:`);
      console.table(topSelfTime(file, 15, "area"));
      console.table(topSelfTime(file, 15));
    }
  } finally {
    for (const server of started.reverse()) await server.stop();
  }
}

/** Public comments, half of them answered on time, over the last `count` hours. */
async function seedFeedback(instance: RunningInstance, code: string, count: number): Promise<void> {
  await instance.orm.em.fork().getConnection().execute(
    `insert into feedback (id, agency_code, email, comment_type, title, body, received_at, reply_due_at, state, answered_at)
     select gen_random_uuid(), ?, 'bench@example.org', '資料內容有誤', '基準測試 ' || n, '基準測試意見',
            now() - n * interval '1 hour', now() - n * interval '1 hour' + interval '14 days',
            case when n % 2 = 0 then 'ANSWERED' else 'RECEIVED' end,
            case when n % 2 = 0 then now() - n * interval '1 hour' + interval '2 days' end
     from generate_series(1, ?) as n`,
    [code, count],
  );
}
