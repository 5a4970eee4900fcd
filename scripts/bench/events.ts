/**
 * npm run bench -- events [--duration 5] [--connections 16] [--profile]
 *
 * The event path, on loopback, two agencies' feedback shards behind one
 * gateway, each a process of its own as deployed (production mode); this
 * process commits the live events and runs the citizens and subscribers:
 * - writes: public comments submitted as fast as they are acknowledged,
 *   each request from its own citizen (so no per-client row is shared), to
 *   a floor (node:http + pg running the shard's own statements), to the two
 *   shards directly, and through the gateway, one after another, with the
 *   ratios to the floor: comments per second, whether every acknowledged
 *   comment was stored (count in = count stored), and CPU per comment of
 *   each server process and of PostgreSQL's (--profile: the CPU profiles of
 *   the gateway and of MOJ's shard over the writes through the gateway,
 *   through their inspectors);
 * - live path: 100 subscribers (then 1,000) follow feedbackEvents while
 *   events are committed at a steady pace; the delay from each event's
 *   commit (its INSERT acknowledged by PostgreSQL) to its arrival at every
 *   subscriber (p50, p99);
 * - gateway memory: the gateway process's heap (read through its inspector)
 *   per idle subscriber, after a full collection, and per active one while
 *   events flow.
 * Bounded in time, 127.0.0.1 only.
 */
import { Worker } from "node:worker_threads";
import autocannon from "autocannon";
import { Client as PgClient } from "pg";
import { issueDevToken } from "../../gateway/auth";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { config, loadSecrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { databaseName, databaseUrl } from "../../subgraphs/kit/database";
import { ServerGroup, startGatewayProcess, startSubgraphProcess } from "../server-process";
import { startPeerProcess } from "./peers";
import { inspectorOf, printProfile, profiledProcess, profiledWith, type Inspector } from "./profile";
import { citizenAddress, deployedEnv, percentile, postgresCpuMs, prepareDatabase, type BenchOptions, type CpuMeter, WARM_UP_SECONDS } from "./shared";

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Subscribers in a worker thread: their memory is not the gateway's. Reports, per subject, when each subscriber received it. */
const SUBSCRIBERS = `
const { parentPort, workerData } = require("node:worker_threads");
const { createClient } = require("graphql-ws");
const WebSocket = require("ws");
const { url, tokens, count } = workerData;
const sockets = tokens.length;
const clients = tokens.map((token) => createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: "Bearer " + token }, retryAttempts: 0 }));
const received = new Map();
let positions = 0;
for (let i = 0; i < count; i++) {
  clients[i % sockets].subscribe({ query: "subscription { feedbackEvents { type subjectId } }" }, {
    next: ({ data }) => {
      if (!data) return;
      if (data.feedbackEvents.type === "STREAM_POSITION") { positions += 1; if (positions === count) parentPort.postMessage({ ready: true }); return; }
      const at = Date.now();
      const list = received.get(data.feedbackEvents.subjectId);
      if (list) list.push(at); else received.set(data.feedbackEvents.subjectId, [at]);
    },
    error: (error) => parentPort.postMessage({ error: JSON.stringify(error) }),
    complete: () => undefined,
  });
}
parentPort.on("message", async (message) => {
  if (message === "report") parentPort.postMessage({ received: [...received] });
  if (message === "stop") { await Promise.all(clients.map((client) => client.dispose())); parentPort.close(); }
});
`;

/** `count` subscriptions, 20 per socket, each socket its own viewer (one client may keep 20 open). */
async function subscribers(url: string, count: number) {
  const secrets = loadSecrets();
  const tokens = await Promise.all(Array.from({ length: Math.ceil(count / 20) }, (_, i) => issueDevToken({ sub: `bench-follower-${i}`, role: Role.MINISTRY_ADMIN }, secrets)));
  const worker = new Worker(SUBSCRIBERS, { eval: true, workerData: { url: url.replace(/^http/, "ws"), tokens, count } });
  const messages: { ready?: boolean; error?: string; received?: [string, number[]][] }[] = [];
  let wake: (() => void) | undefined;
  worker.on("message", (message) => {
    messages.push(message);
    wake?.();
  });
  const next = async (what: (message: (typeof messages)[number]) => boolean) => {
    for (;;) {
      const index = messages.findIndex(what);
      if (index >= 0) return messages.splice(index, 1)[0];
      const failure = messages.find((message) => message.error);
      if (failure) throw new Error(`subscriber failed: ${failure.error}`);
      await new Promise<void>((resolveWake) => (wake = resolveWake));
    }
  };
  const ready = await Promise.race([next((message) => message.ready === true), sleep(60_000).then(() => undefined)]);
  if (!ready) {
    await worker.terminate();
    throw new Error(`${count} subscribers were not all subscribed within 60 s`);
  }
  return {
    async report(): Promise<Map<string, number[]>> {
      worker.postMessage("report");
      return new Map((await next((message) => message.received !== undefined)).received);
    },
    async stop() {
      worker.postMessage("stop");
      await new Promise((resolveExit) => worker.once("exit", resolveExit));
    },
  };
}

const CITIZENS = 500;
const SUBMIT = "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }";

/** Where comments are written: an address, the agencies its comments go to in turn, and the i-th citizen's headers. */
interface WriteFront {
  url: string;
  agencyCodes: readonly string[];
  headers: (i: number) => Record<string, string>;
}

/**
 * Public comments submitted to every front at once for `duration` s, the connections shared among them, each
 * connection a different citizen at every step: the ids acknowledged, and what went wrong.
 */
async function submitComments(fronts: readonly WriteFront[], connections: number, duration: number) {
  const acknowledged = new Set<string>();
  const failures: string[] = [];
  const results = await Promise.all(
    fronts.map((front) =>
      autocannon({
        url: front.url,
        connections: Math.ceil(connections / fronts.length),
        duration,
        requests: Array.from({ length: CITIZENS }, (_, i) => ({
          method: "POST" as const,
          headers: { "content-type": "application/json", ...front.headers(i) },
          body: JSON.stringify({
            query: SUBMIT,
            variables: { input: { agencyCode: front.agencyCodes[i % front.agencyCodes.length], email: "bench@example.org", commentType: "資料內容有誤", title: "基準測試", body: "基準測試意見" } },
          }),
          onResponse: (status: number, body: string) => {
            const answer = JSON.parse(body) as { data?: { submitFeedback?: { feedback: { id: string } } } };
            if (status === 200 && answer.data?.submitFeedback) acknowledged.add(answer.data.submitFeedback.feedback.id);
            else if (failures.length < 3) failures.push(body.slice(0, 300));
          },
        })),
      }),
    ),
  );
  return { acknowledged, failures, httpErrors: results.reduce((sum, result) => sum + result.errors + result.timeouts + result.non2xx, 0) };
}

export async function benchEvents({ serverUrl, prefix, duration, connections, profile }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = ["MOJ", "ACA"];
  const servers = new ServerGroup();
  const writers: PgClient[] = [];
  let inspector: Inspector | undefined;
  const rows: Record<string, unknown>[] = [];
  try {
    await Promise.all(codes.map((code) => prepareDatabase(serverUrl, prefix, "feedback", code)));
    const env = deployedEnv(secrets);
    // --profile samples MOJ's shard beside the gateway over the writes.
    const shardInspectPort = profile ? await freePort() : undefined;
    const shards = await Promise.all(
      codes.map((code, i) =>
        servers.add(
          startSubgraphProcess(`feedback:${code}`, {
            serverUrl,
            databasePrefix: prefix,
            env,
            nodeOptions: i === 0 && shardInspectPort ? [`--inspect=127.0.0.1:${shardInspectPort}`] : [],
          }),
        ),
      ),
    );
    const inspectPort = await freePort();
    const gateway = await servers.add(
      startGatewayProcess(
        { subgraphs: {}, shards: { catalogue: {}, feedback: Object.fromEntries(codes.map((code, i) => [code, shards[i].url])) } },
        // All 1,000 subscribers come from this one address; the per-client limit is not what is measured.
        { env: { ...env, GOVGRAPH_MAX_SUBSCRIPTIONS_PER_CLIENT: "1000" }, nodeOptions: [`--inspect=127.0.0.1:${inspectPort}`] },
      ),
    );
    inspector = await inspectorOf(inspectPort);
    const databaseUrls = Object.fromEntries(codes.map((code) => [code, databaseUrl(serverUrl, databaseName("feedback", code, prefix))]));
    for (const code of codes) {
      writers.push(new PgClient({ connectionString: databaseUrls[code] }));
      await writers.at(-1)!.connect();
    }
    const report = (row: Record<string, unknown>) => {
      rows.push(row);
      console.log(JSON.stringify(row));
    };

    // Writes: the same public comments, every request its own citizen, to the floor, to the two shards directly,
    // and through the gateway, one after another.
    const floor = await servers.add(
      startPeerProcess("write-floor", [JSON.stringify(databaseUrls), String(config.databasePoolSize)], { env }),
    );
    const tokens = await Promise.all(Array.from({ length: CITIZENS }, (_, i) => issueDevToken({ sub: `bench-citizen-${i}`, role: Role.PUBLIC }, secrets)));
    // What the gateway forwards for the i-th citizen (the client key its per-client quota counts by: the token's subject).
    const claims = await Promise.all(
      tokens.map((_, i) => signClaims({ sub: `bench-citizen-${i}`, role: Role.PUBLIC, client: `subject:bench-citizen-${i}` }, secrets.internalSecret, 3600)),
    );
    const shardsCpuMs = () => shards.reduce((sum, shard) => sum + shard.cpuMs(), 0);
    const writeRuns: [string, WriteFront[], Record<string, CpuMeter>][] = [
      ["floor (node:http + pg, the shard's statements)", [{ url: floor.url, agencyCodes: codes, headers: (i) => ({ "x-forwarded-for": citizenAddress(i) }) }], { floor: floor.cpuMs }],
      [
        "the two shards directly",
        codes.map((code, s) => ({ url: shards[s].url, agencyCodes: [code], headers: (i: number) => ({ [CLAIMS_HEADER]: claims[i] }) })),
        { shards: shardsCpuMs },
      ],
      [
        "through the gateway",
        [{ url: gateway.url, agencyCodes: codes, headers: (i) => ({ authorization: `Bearer ${tokens[i]}`, "x-forwarded-for": citizenAddress(i) }) }],
        { gateway: gateway.cpuMs, shards: shardsCpuMs },
      ],
    ];
    let writeProfiles: { gateway: string; shard: string } | undefined;
    const commentsPerSecond: number[] = [];
    for (const [front, targets, meters] of writeRuns) {
      // Not measured (WARM_UP_SECONDS): the gateway, idle while the floor and the shards were measured, is otherwise cold.
      await submitComments(targets, connections, WARM_UP_SECONDS);
      const measured = { ...meters, PostgreSQL: postgresCpuMs };
      const before = Object.values(measured).map((meter) => meter());
      const run = () => submitComments(targets, connections, duration);
      let written: Awaited<ReturnType<typeof run>>;
      if (front === "through the gateway" && shardInspectPort) {
        // --profile samples the gateway and MOJ's shard over the writes through the gateway.
        const gatewayProfile = await profiledWith(inspector, "events-gateway-writes", () => profiledProcess(shardInspectPort, `events-shard-${codes[0]}-writes`, run));
        writeProfiles = { gateway: gatewayProfile.file, shard: gatewayProfile.result.file };
        written = gatewayProfile.result.result;
      } else written = await run();
      const cpuMs = Object.values(measured).map((meter, i) => meter() - before[i]);
      if (written.failures.length > 0) console.log("refused:", written.failures);
      // Requests still in flight when the run ended may commit after it: let them.
      await sleep(1000);
      const stored = new Set((await Promise.all(writers.map((client) => client.query("select id from feedback")))).flatMap((answer) => answer.rows.map((row: { id: string }) => row.id)));
      const count = written.acknowledged.size;
      commentsPerSecond.push(Math.round(count / duration));
      report({
        measure: `public comments, ${front}`,
        "comments/s": commentsPerSecond.at(-1),
        acknowledged: count,
        "acknowledged but not stored": [...written.acknowledged].filter((id) => !stored.has(id)).length,
        "http errors": written.httpErrors,
        ...Object.fromEntries(Object.keys(measured).map((name, i) => [`${name} CPU ms/comment`, Number((cpuMs[i] / count).toFixed(2))])),
      });
    }
    const [floorRate, shardsRate, gatewayRate] = commentsPerSecond;
    report({ measure: "comments/s: the shards directly / the floor", ratio: Number((shardsRate / floorRate).toFixed(2)) });
    report({ measure: "comments/s: through the gateway / the floor", ratio: Number((gatewayRate / floorRate).toFixed(2)) });

    if (writeProfiles) {
      printProfile("CPU profile of the gateway during the writes through it", writeProfiles.gateway);
      printProfile(`CPU profile of ${codes[0]}'s feedback shard during the writes through the gateway`, writeProfiles.shard);
    }

    // Live path and memory, for 100 then 1,000 subscribers.
    for (const [count, perSecond] of [
      [100, 20],
      [1000, 5],
    ]) {
      const before = await inspector.heapUsedMb(true);
      const following = await subscribers(gateway.url, count).catch((error: Error) => report({ measure: `${count} subscribers`, failed: error.message }));
      if (!following) continue;
      await sleep(500);
      const idle = await inspector.heapUsedMb(true);
      const committedAt = new Map<string, number>();
      let activeHeap = 0;
      const events = perSecond * duration;
      for (let i = 0; i < events; i++) {
        const subject = `bench-live-${count}-${i}`;
        await writers[i % writers.length].query("insert into outbox_event (id, type, subject_id, payload) values (gen_random_uuid(), 'FeedbackReceived', $1, '{}')", [subject]);
        committedAt.set(subject, Date.now());
        if (i % perSecond === perSecond - 1) activeHeap = Math.max(activeHeap, await inspector.heapUsedMb(false));
        await sleep(1000 / perSecond);
      }
      const deadline = Date.now() + 30_000;
      let received = await following.report();
      while ([...committedAt.keys()].some((subject) => (received.get(subject)?.length ?? 0) < count) && Date.now() < deadline) {
        await sleep(500);
        received = await following.report();
      }
      const delays = [...committedAt].flatMap(([subject, at]) => (received.get(subject) ?? []).map((arrived) => arrived - at));
      const arrivals = [...committedAt.keys()].map((subject) => received.get(subject)?.length ?? 0);
      const deliveries = arrivals.reduce((sum, n) => sum + n, 0);
      const doubled = arrivals.reduce((sum, n) => sum + Math.max(0, n - count), 0);
      report({
        measure: `commit → subscriber, ${count} subscribers, ${perSecond} events/s`,
        "p50 ms": percentile(delays, 50),
        "p99 ms": percentile(delays, 99),
        delivered: deliveries,
        expected: events * count,
        "beyond one per subscriber": doubled,
        "KiB per idle subscriber": Math.round(((idle - before) * 1024) / count),
        "KiB per active subscriber": Math.round(((Math.max(activeHeap, idle) - before) * 1024) / count),
      });
      await following.stop();
      await sleep(6000); // the shared streams close once their subscribers have been gone a while
    }
    console.log(`\nevents: two feedback shards behind one gateway, each a process of its own, ${connections} connections, ${duration} s, loopback`);
    console.table(rows);
  } finally {
    inspector?.close();
    await Promise.all(writers.map((client) => client.end()));
    await servers.stop();
  }
}
