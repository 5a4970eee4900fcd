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
 *   same page from MOJ's shard, the ministry-wide page from metrics' dataset
 *   index (`datasetIndex`, fed by the shards' events: README, the ministry-wide
 *   dataset index), and the cross-subgraph query for the nine.
 * Every server is a process of its own, as deployed (each agency's shard,
 * metrics, each gateway, the floor), in production mode: this process only
 * generates the load. Each row gives the CPU per answer of the process the
 * client asked (the front) and of all the servers together, from /proc.
 * Every row starts once the servers are back at rest from the one before.
 * The rows are measured in --rounds rounds (5 by default), one after
 * another, each in its own shuffled order, and each figure is the median
 * of its rounds. Then the ratios issue 15 sets goals for, each the median
 * of the rounds' own ratios, with their range. With --profile, the MOJ
 * shard and GovGraph's gateways are CPU-profiled over their rows, and ACA's
 * shard over the fanned-out row, in a run of those rows after the rounds
 * (the profiler slows what it samples, so those runs are not among the
 * figures).
 */
import { issueDevToken } from "../../gateway/auth";
import { AGENCY_CODES } from "../../contract/agencies";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { config, loadSecrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { databaseName, databaseUrl } from "../../subgraphs/kit/database";
import { seededRandom, shuffled } from "../../subgraphs/kit/random";
import type { RunningInstance } from "../../subgraphs/kit/server";
import { ServerGroup, startAgencyShards, startGatewayProcess, startSubgraphProcess, type ServerProcess } from "../server-process";
import { startPeerProcess } from "./peers";
import { printProfile, profiledProcess } from "./profile";
import { deployedEnv, load, WARM_UP_SECONDS, percentile, post, prepareDatabase, seedDirectory, seedShard, type BenchOptions } from "./shared";

const PAGE_SELECTION = "totalCount edges { cursor node { identifier title issued } } pageInfo { hasNextPage endCursor }";
const pageQuery = (agencyCodes?: readonly string[]) =>
  `{ datasets(${agencyCodes ? `agencyCodes: ${JSON.stringify(agencyCodes)}, ` : ""}first: 20) { ${PAGE_SELECTION} } }`;
const indexQuery = `{ datasetIndex(first: 20) { ${PAGE_SELECTION} } }`;
const crossQuery = (codes: readonly string[]) => `{ agencies(codes: ${JSON.stringify(codes)}) { datasets(first: 5) { totalCount } feedbackStats { received } } }`;
const queryKind = (query: string) => (query.includes("agencies") ? "cross-subgraph" : "page");
const VIEWERS = 500;

/** A measured row: what is asked of which server, with whose headers (every request the next viewer's). */
interface RowSpec {
  row: string;
  query: string;
  front: ServerProcess;
  headers: Record<string, string>[];
  /** The processes --profile samples over this row (named by their inspector). */
  profileAs?: readonly string[];
}

/** One row's measurement in one round. */
type Measured = Awaited<ReturnType<typeof load<"front" | "servers">>>;
type Figure = (result: Measured) => number;
const perSecond: Figure = (result) => result.requestsPerSecond;
const p50: Figure = (result) => result.p50;
const p99: Figure = (result) => result.p99;
const frontCpu: Figure = (result) => result.cpuMsPerRequestOf.front;
const serversCpu: Figure = (result) => result.cpuMsPerRequestOf.servers;

interface Row {
  row: string;
  query: string;
  p50: number;
  p99: number;
  requestsPerSecond: number;
  /** The lowest and highest req/s of the rounds. */
  range: string;
  failed: number;
  frontCpuMs: number;
  serversCpuMs: number;
}

/** Metrics' and every agency's databases, with the bench's rows: `datasets` datasets and comments per shard. */
async function prepareDatabases(serverUrl: string, prefix: string, codes: readonly string[], datasets: number): Promise<void> {
  await prepareDatabase(serverUrl, prefix, "metrics", undefined, (metrics) => seedDirectory(metrics, codes));
  for (const code of codes) {
    await Promise.all([
      prepareDatabase(serverUrl, prefix, "catalogue", code, (catalogue) => seedShard(catalogue, code, datasets)),
      prepareDatabase(serverUrl, prefix, "feedback", code, (feedback) => seedFeedback(feedback, code, datasets)),
    ]);
  }
}

export async function benchCompare({ serverUrl, prefix, duration, connections, datasets, rounds, profile }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = AGENCY_CODES;
  const servers = new ServerGroup();
  const profiles: { row: string; file: string }[] = [];
  try {
    console.log(`preparing metrics' and ${codes.length} agencies' catalogue and feedback databases, ${datasets} datasets and ${datasets} comments each…`);
    await prepareDatabases(serverUrl, prefix, codes, datasets);

    console.log("starting every subgraph instance, GovGraph's gateways, the floor and the peers, each as a process of its own…");
    const env = deployedEnv(secrets);
    const inspectPorts = new Map<string, number>();
    const inspect = async (name: string) => {
      if (!profile) return [];
      inspectPorts.set(name, await freePort());
      return [`--inspect=127.0.0.1:${inspectPorts.get(name)}`];
    };
    const nineGatewayPort = await freePort();
    const subgraph = async (spec: string) =>
      servers.add(
        startSubgraphProcess(spec, {
          serverUrl,
          databasePrefix: prefix,
          // Metrics follows the nine agencies' gateway at the image's default interval.
          env: { ...env, GOVGRAPH_GATEWAY_URL: `http://127.0.0.1:${nineGatewayPort}/graphql`, GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS: undefined },
          nodeOptions: spec === "catalogue:MOJ" ? await inspect("shard") : spec === "catalogue:ACA" ? await inspect("aca-shard") : [],
        }),
      );
    const metrics = await subgraph("metrics");
    const shards = await startAgencyShards(codes, subgraph);
    const govgraphGateway = async (name: string, chosen: readonly string[], port?: number) =>
      servers.add(
        startGatewayProcess(
          { subgraphs: { metrics: metrics.url }, shards: shards.routing(chosen) },
          // The shard timeout also bounds the health probes: on a loaded machine, 5 s would mark busy shards down mid-run.
          { port, env: { ...env, GOVGRAPH_SHARD_TIMEOUT_MS: "60000" }, nodeOptions: await inspect(name) },
        ),
      );
    const moj = ["MOJ"];
    const mojUrls = JSON.stringify({ catalogue: shards.catalogue.get("MOJ")!.url, feedback: shards.feedback.get("MOJ")!.url, metrics: metrics.url });
    const [floor, govgraph, hive, apollo, govgraphNine] = await Promise.all([
      servers.add(startPeerProcess("floor", [databaseUrl(serverUrl, databaseName("catalogue", "MOJ", prefix)), String(config.databasePoolSize)], { env })),
      govgraphGateway("gateway", moj),
      servers.add(startPeerProcess("hive", [mojUrls], { env })),
      servers.add(startPeerProcess("apollo", [mojUrls], { env })),
      govgraphGateway("fan-out", codes, nineGatewayPort),
    ]);

    const viewers = Array.from({ length: VIEWERS }, (_, i) => ({ sub: `bench-viewer-${i}`, role: Role.PUBLIC }));
    const bearers = await Promise.all(viewers.map(async (viewer) => ({ authorization: `Bearer ${await issueDevToken(viewer, secrets)}` })));
    const claims = await Promise.all(viewers.map(async (viewer) => ({ [CLAIMS_HEADER]: await signClaims(viewer, secrets.internalSecret, 3600) })));

    await untilIndexed(govgraphNine.url, bearers[0], codes.length * datasets);

    const page = pageQuery(moj);
    const specs: RowSpec[] = [
      { row: "floor (node:http + pg)", query: page, front: floor, headers: claims },
      { row: "MOJ catalogue shard, direct", query: page, front: shards.catalogue.get("MOJ")!, headers: claims, profileAs: ["shard"] },
      { row: "GovGraph gateway (MOJ shards)", query: page, front: govgraph, headers: bearers, profileAs: ["gateway"] },
      { row: "plain Hive runtime (MOJ shards)", query: page, front: hive, headers: claims },
      { row: "Apollo Gateway 2.14 (MOJ shards)", query: page, front: apollo, headers: claims },
      { row: "GovGraph gateway (MOJ shards)", query: crossQuery(moj), front: govgraph, headers: bearers, profileAs: ["gateway"] },
      { row: "plain Hive runtime (MOJ shards)", query: crossQuery(moj), front: hive, headers: claims },
      { row: "Apollo Gateway 2.14 (MOJ shards)", query: crossQuery(moj), front: apollo, headers: claims },
      { row: "GovGraph, 9 agencies: MOJ's page", query: page, front: govgraphNine, headers: bearers },
      { row: "GovGraph, 9 agencies: page fanned out", query: pageQuery(), front: govgraphNine, headers: bearers, profileAs: ["fan-out", "aca-shard"] },
      { row: "GovGraph, 9 agencies: page from the index", query: indexQuery, front: govgraphNine, headers: bearers },
      { row: "GovGraph, 9 agencies: cross-subgraph", query: crossQuery(codes), front: govgraphNine, headers: bearers },
    ];

    // Each server is a process with its own JIT, and is measured warm, as a deployment's servers are with their own
    // traffic. Left to the fanned-out rows, the other agencies' shards would answer a few hundred requests in all
    // (15 ms of CPU per page against MOJ's 1.6): each is first warmed with its agency's page and overview through the
    // nine agencies' gateway (the documents the fan-out sends it). Then every row's front answers its own row for
    // WARM_UP_SECONDS (shared.ts): a front warmed only by its rows' one second each was measured colder in its first
    // rounds than in its last.
    console.log("warming every server up (not measured)…");
    const warmUps: [ServerProcess, Record<string, string>[], string, number][] = [
      ...codes.flatMap((code): [ServerProcess, Record<string, string>[], string, number][] => [
        [govgraphNine, bearers, pageQuery([code]), 2],
        [govgraphNine, bearers, crossQuery([code]), 2],
      ]),
      ...specs.map((spec): [ServerProcess, Record<string, string>[], string, number] => [spec.front, spec.headers, spec.query, WARM_UP_SECONDS]),
    ];
    for (const [front, headers, query, seconds] of warmUps) await load(front.url, headers, query, seconds, connections);
    // The servers go on answering a load's last requests after it stops (fanned-out ones, for seconds): each
    // measured run starts once they are back at rest, so that work is neither timed nor counted against it.
    const cpuPerSecond = async (seconds: number) => {
      const before = servers.cpuMs();
      await new Promise((resolveRest) => setTimeout(resolveRest, seconds * 1000));
      return Math.round((servers.cpuMs() - before) / seconds);
    };
    await new Promise((resolveRest) => setTimeout(resolveRest, 10_000));
    const atRest = await cpuPerSecond(3);
    console.log(`the servers at rest: ${atRest} ms of CPU a second (health probes, metrics following the shards)`);
    const untilAtRest = async () => {
      for (let waited = 0; waited < 20 && (await cpuPerSecond(0.5)) > 1.5 * atRest + 50; waited++);
    };

    /** Runs `work` with each named process CPU-profiled (those --profile started with an inspector). */
    const profiling = async <T>(spec: RowSpec, names: readonly string[], work: () => Promise<T>): Promise<T> => {
      const [name, ...others] = names.filter((candidate) => inspectPorts.has(candidate));
      if (!name) return work();
      const done = await profiledProcess(inspectPorts.get(name)!, `${name}.${queryKind(spec.query)}`, () => profiling(spec, others, work));
      profiles.push({ row: `${spec.row}, ${queryKind(spec.query)}, ${name} process`, file: done.file });
      return done.result;
    };
    const run = (spec: RowSpec) =>
      load(spec.front.url, spec.headers, spec.query, duration, connections, { meters: { front: spec.front.cpuMs, servers: () => servers.cpuMs() }, afterWarmUp: untilAtRest });
    // This machine's speed drifts by a third from one run to the next: every row is measured once per round, the rounds
    // one after another, and each figure is the median of its rounds. Each round takes the rows in an order of its own
    // (shuffled with a fixed seed), so no row is always the one measured after the same other or at the same point.
    const measured = specs.map(() => [] as Measured[]);
    const random = seededRandom(15);
    for (let round = 1; round <= rounds; round++) {
      console.log(`measuring, round ${round} of ${rounds}: ${connections} connections, ${duration} s a row after 1 s of warm-up, ${VIEWERS} viewers in turn`);
      for (const [i, spec] of shuffled(random, [...specs.entries()])) {
        process.stdout.write(`  ${spec.row}: ${spec.query.slice(0, 60)}… `);
        const result = await run(spec);
        measured[i].push(result);
        console.log(`${result.requestsPerSecond} req/s, front ${result.cpuMsPerRequestOf.front} ms, servers ${result.cpuMsPerRequestOf.servers} ms of CPU per answer`);
      }
    }
    const rows: Row[] = specs.map((spec, i) => {
      const results = measured[i];
      const of = (figure: Figure) => percentile(results.map(figure), 50);
      const rates = results.map(perSecond);
      return {
        row: spec.row,
        query: queryKind(spec.query),
        p50: of(p50),
        p99: of(p99),
        requestsPerSecond: of(perSecond),
        range: `${Math.min(...rates)}–${Math.max(...rates)}`,
        failed: results.reduce((sum, result) => sum + result.failed, 0),
        frontCpuMs: of(frontCpu),
        serversCpuMs: of(serversCpu),
      };
    });
    const [floorPage, shardPage, govgraphPage, hivePage, apolloPage, govgraphCross, hiveCross, apolloCross, oneOfNine, fanned, indexed] = measured;
    if (profile) {
      // Profiled apart from the measured rounds: the profiler slows what it samples.
      console.log("profiling the shard, gateway and fan-out rows (not measured)…");
      for (const spec of specs.filter((candidate) => candidate.profileAs)) await profiling(spec, spec.profileAs!, () => run(spec));
    }

    console.log(
      `\ncompare: ${datasets} datasets and comments per shard, ${connections} connections, ${duration} s per row, loopback, every server a process of its own; ` +
        `the median of ${rounds} rounds (req/s: the range too); CPU per answer of the process asked (front) and of all the servers`,
    );
    console.table(
      rows.map((r) => ({ "": r.row, query: r.query, "req/s": r.requestsPerSecond, "req/s range": r.range, "p50 ms": r.p50, "p99 ms": r.p99, "front CPU ms": r.frontCpuMs, "servers' CPU ms": r.serversCpuMs, failed: r.failed })),
    );
    // A ratio pairs the two rows' figures of each round, measured at most one round's minutes apart, so that the
    // machine's drift from round to round cancels out: it is the median of the rounds' ratios, and their range shows how
    // sure it is (the cross-subgraph rows measured alone, without the other servers' load, still moved by a fifth or
    // more from one round to the next).
    const ratio = (label: string, a: Measured[], b: Measured[], figure: Figure) => {
      const byRound = a.map((result, round) => figure(result) / figure(b[round]));
      return { ratio: label, value: Number(percentile(byRound, 50).toFixed(2)), "range over rounds": `${Math.min(...byRound).toFixed(2)}–${Math.max(...byRound).toFixed(2)}` };
    };
    console.table([
      ratio("shard / floor, req/s (goal ≥ 0.5)", shardPage, floorPage, perSecond),
      ratio("GovGraph / Apollo Gateway, req/s, page (goal ≥ 1.2)", govgraphPage, apolloPage, perSecond),
      ratio("GovGraph / Apollo Gateway, req/s, cross-subgraph (goal ≥ 1.2)", govgraphCross, apolloCross, perSecond),
      ratio("GovGraph / plain Hive, req/s, page (goal ≥ 1.0)", govgraphPage, hivePage, perSecond),
      ratio("GovGraph / plain Hive, req/s, cross-subgraph (goal ≥ 1.0)", govgraphCross, hiveCross, perSecond),
      ratio("fan-out over 9 / one shard, p50 (goal ≤ 2)", fanned, oneOfNine, p50),
      ratio("fan-out over 9 / one shard, req/s (goal ≥ 0.5)", fanned, oneOfNine, perSecond),
      ratio("index over 9 / one shard, p50 (the fan-out's goal ≤ 2)", indexed, oneOfNine, p50),
      ratio("index over 9 / one shard, req/s (the fan-out's goal ≥ 0.5)", indexed, oneOfNine, perSecond),
      // On a shared machine whose load starves the servers, CPU per answer gives the same comparisons, unaffected by the other load.
      ratio("floor / shard, CPU per answer (goal ≥ 0.5)", floorPage, shardPage, frontCpu),
      ratio("Apollo Gateway / GovGraph, gateway CPU per answer, page (goal ≥ 1.2)", apolloPage, govgraphPage, frontCpu),
      ratio("plain Hive / GovGraph, gateway CPU per answer, page (goal ≥ 1.0)", hivePage, govgraphPage, frontCpu),
      ratio("Apollo Gateway / GovGraph, gateway CPU per answer, cross-subgraph (goal ≥ 1.2)", apolloCross, govgraphCross, frontCpu),
      ratio("plain Hive / GovGraph, gateway CPU per answer, cross-subgraph (goal ≥ 1.0)", hiveCross, govgraphCross, frontCpu),
      ratio("fan-out over 9 / one shard, servers' CPU per answer (cf. the p50 goal ≤ 2)", fanned, oneOfNine, serversCpu),
    ]);
    for (const { row, file } of profiles) printProfile(`CPU profile of "${row}"`, file);
  } finally {
    await servers.stop();
  }
}

/** Waits until metrics' dataset index lists all `expected` datasets (it projects the shards' history once it follows them). */
async function untilIndexed(gatewayUrl: string, viewer: Record<string, string>, expected: number): Promise<void> {
  process.stdout.write(`waiting for metrics to index the shards' ${expected} datasets…`);
  const deadline = Date.now() + 120_000;
  for (let indexed = 0; indexed < expected; await new Promise((resolvePause) => setTimeout(resolvePause, 200))) {
    if (Date.now() > deadline) throw new Error(`metrics indexed ${indexed} of ${expected} datasets in 120 s`);
    ({ totalCount: indexed } = (await post<{ datasetIndex: { totalCount: number } }>(gatewayUrl, viewer, "{ datasetIndex(first: 1) { totalCount } }")).datasetIndex);
  }
  console.log(" done");
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
