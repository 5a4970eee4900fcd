/**
 * npm run bench -- events [--duration 5] [--connections 16] [--profile]
 *
 * The event path, on loopback, two agencies' feedback shards behind one
 * gateway, each a process of its own as deployed (production mode); this
 * process commits the live events and runs the citizens and subscribers:
 * - writes: public comments submitted through the gateway as fast as they
 *   are acknowledged, each request from its own citizen (so no per-client
 *   row is shared): comments per second, and whether every acknowledged
 *   comment was stored (count in = count stored); CPU per comment of the
 *   gateway and of the two shards (--profile: the CPU profiles of the
 *   gateway and of MOJ's shard over the writes, through their inspectors);
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
import { Role } from "../../contract/claims";
import { loadSecrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { databaseName, databaseUrl } from "../../subgraphs/kit/database";
import { ServerGroup, startGatewayProcess, startSubgraphProcess } from "../server-process";
import { inspectorOf, printProfile, profiledProcess, profiledWith, type Inspector } from "./profile";
import { citizenAddress, deployedEnv, percentile, prepareDatabase, type BenchOptions } from "./shared";

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
    for (const code of codes) {
      writers.push(new PgClient({ connectionString: databaseUrl(serverUrl, databaseName("feedback", code, prefix)) }));
      await writers.at(-1)!.connect();
    }
    // Writes: every request its own citizen.
    const citizens = await Promise.all(Array.from({ length: 500 }, (_, i) => issueDevToken({ sub: `bench-citizen-${i}`, role: Role.PUBLIC }, secrets)));
    const acknowledged = new Set<string>();
    // Each connection walks this sequence: a different citizen at every step.
    const submit = (token: string, i: number) => ({
      method: "POST" as const,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": citizenAddress(i) },
      body: JSON.stringify({
        query: "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }",
        variables: { input: { agencyCode: codes[i % codes.length], email: "bench@example.org", commentType: "資料內容有誤", title: "基準測試", body: "基準測試意見" } },
      }),
      onResponse: (status: number, body: string) => {
        const answer = JSON.parse(body) as { data?: { submitFeedback?: { feedback: { id: string } } }; errors?: unknown[] };
        if (status === 200 && answer.data?.submitFeedback) acknowledged.add(answer.data.submitFeedback.feedback.id);
        else if (failures.length < 3) failures.push(body.slice(0, 300));
      },
    });
    const failures: string[] = [];
    const cpuBefore = [gateway.cpuMs(), ...shards.map((shard) => shard.cpuMs())];
    const writes = () => autocannon({ url: gateway.url, connections, duration, requests: citizens.map(submit) });
    const gatewayProfile = shardInspectPort
      ? await profiledWith(inspector, "events-gateway-writes", () => profiledProcess(shardInspectPort, `events-shard-${codes[0]}-writes`, writes))
      : null;
    const shardProfile = gatewayProfile?.result;
    const result = shardProfile ? shardProfile.result : await writes();
    const [gatewayCpuMs, ...shardsCpuMs] = [gateway.cpuMs(), ...shards.map((shard) => shard.cpuMs())].map((ms, i) => ms - cpuBefore[i]);
    if (failures.length > 0) console.log("refused:", failures);
    await sleep(1000);
    const stored = (await Promise.all(writers.map((client) => client.query("select id from feedback")))).flatMap((answer) => answer.rows.map((row: { id: string }) => row.id));
    const storedIds = new Set(stored);
    const report = (row: Record<string, unknown>) => {
      rows.push(row);
      console.log(JSON.stringify(row));
    };
    report({
      measure: "public comments through the gateway",
      "comments/s": Math.round(acknowledged.size / duration),
      acknowledged: acknowledged.size,
      stored: storedIds.size,
      "acknowledged but not stored": [...acknowledged].filter((id) => !storedIds.has(id)).length,
      "http errors": result.errors + result.timeouts + result.non2xx,
      "gateway CPU ms/comment": Number((gatewayCpuMs / acknowledged.size).toFixed(2)),
      "shards' CPU ms/comment": Number((shardsCpuMs.reduce((sum, ms) => sum + ms, 0) / acknowledged.size).toFixed(2)),
    });

    if (gatewayProfile && shardProfile) {
      printProfile("CPU profile of the gateway during the writes", gatewayProfile.file);
      printProfile(`CPU profile of ${codes[0]}'s feedback shard during the writes`, shardProfile.file);
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
