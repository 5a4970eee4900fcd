/**
 * The projection loses and doubles nothing: metrics runs as a real process,
 * is killed (SIGKILL) and started again in the middle of a stream of writes,
 * and once it has caught up every figure equals the shards' own counts; the
 * same when a shard process is killed for a while and comes back. A shard
 * admitted at run time is followed without a restart. A subscriber to
 * progressChanged through the gateway keeps receiving changes across the
 * restart of the metrics process that projects (its subscription is served by
 * the metrics instance the gateway reads, which is not restarted: the
 * console test breaks that connection).
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { Role } from "../contract/claims";
import { loadSecrets } from "../contract/config";
import { issueDevToken } from "../gateway/auth";
import { askGateway, metricsSystemClient } from "../subgraphs/metrics/gateway-client";
import { reconcile, type Drift } from "../subgraphs/metrics/reconcile";
import { startSubgraphProcess, type ServerProcess } from "../scripts/server-process";
import { startTestTopology, type TestTopology } from "./topology";
import { eventually } from "./eventually";

let topology: TestTopology;
let metricsProcess: ServerProcess;
let admin: string;

const secret = () => process.env.GOVGRAPH_INTERNAL_SECRET!;
const drifts = () =>
  reconcile(topology.instances.get("metrics")!.orm.em.fork(), (query, variables) => askGateway(metricsSystemClient(secret(), 60, 30_000), topology.gateway.url, query, variables));

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"], { healthIntervalMs: 200 });
  admin = await topology.token(Role.MINISTRY_ADMIN);
  // The metrics process that projects: same database as the in-process instance the gateway asks, which only reads.
  metricsProcess = await startSubgraphProcess("metrics", {
    serverUrl: process.env.DATABASE_URL!,
    databasePrefix: topology.instances.get("metrics")!.database.replace(/_metrics$/, ""),
    env: { GOVGRAPH_GATEWAY_URL: topology.gateway.url, GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS: "300" },
  });
}, 120_000);

afterAll(async () => {
  await metricsProcess?.stop();
  await topology?.stop();
});

test("metrics killed and restarted during a stream of writes: after catching up, zero drift", async () => {
  expect(await eventually(drifts, (found) => found.length === 0, 60_000)).toEqual([]);

  let writing = true;
  let written = 0;
  const writer = (async () => {
    for (let serial = 0; writing; serial++) {
      const agencyCode = serial % 2 === 0 ? "MOJ" : "ACA";
      const dataset = await topology.query(
        `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }`,
        { input: { agencyCode, identifier: `${agencyCode}-R-${serial}`, title: `資料集${serial}`, description: "d", category: "公共資訊", accrualPeriodicity: "每1年", resources: [] } },
        admin,
      );
      // Each comment from its own citizen: one client's comments are limited per hour.
      const citizen = await issueDevToken({ sub: `citizen-${serial}`, role: Role.PUBLIC }, loadSecrets());
      const comment = await topology.query(
        `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }`,
        { input: { agencyCode, email: "me@example.org", commentType: "資料內容有誤", title: `意見${serial}`, body: "內容", idempotencyKey: `recovery-${serial}-xyz` } },
        citizen,
      );
      expect([dataset.errors, comment.errors]).toEqual([undefined, undefined]);
      written += 1;
    }
  })();

  // A dashboard watching progress through the gateway, before, across and after the restart.
  const watcher = createClient({ url: topology.gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${admin}` }, retryAttempts: 0 });
  const watched: { at: number; result?: { errors?: readonly unknown[] }; ended?: string }[] = [];
  watcher.subscribe(
    { query: "subscription { progressChanged { cause } }" },
    {
      next: (result) => watched.push({ at: Date.now(), result }),
      error: (error) => watched.push({ at: Date.now(), ended: `error: ${String(error)}` }),
      complete: () => watched.push({ at: Date.now(), ended: "complete" }),
    },
  );
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 1500));
  await metricsProcess.kill();
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 1500));
  await metricsProcess.restart();
  const restartedAt = Date.now();
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 1500));
  writing = false;
  await writer;
  expect(written).toBeGreaterThan(0);

  const found: Drift[] = await eventually(drifts, (list) => list.length === 0, 60_000);
  expect(found).toEqual([]);
  const mine = await topology.query<{ agency: { progress: { datasetsOnPlatform: number } } }>(`{ agency(code: "MOJ") { progress { datasetsOnPlatform } } }`);
  const theirs = await topology.query<{ catalogueSummary: { published: number } }>(`{ catalogueSummary(agencyCodes: ["MOJ"]) { published } }`);
  expect(mine.data!.agency.progress.datasetsOnPlatform).toBe(theirs.data!.catalogueSummary.published);
  // The subscription was neither ended nor failed, and changes kept coming after metrics came back.
  await watcher.dispose();
  expect(watched.filter((item) => item.ended || item.result?.errors)).toEqual([]);
  expect(watched.filter((item) => item.at > restartedAt).length).toBeGreaterThan(0);
}, 180_000);

test("a shard stopped for a while, while the others are written to: after it returns and metrics catches up, zero drift", async () => {
  // SPO's catalogue shard as a process of its own, admitted at run time, so that it can be killed and started again on its port.
  const prefix = topology.instances.get("metrics")!.database.replace(/_metrics$/, "");
  const spo = await startSubgraphProcess("catalogue:SPO", { serverUrl: process.env.DATABASE_URL!, databasePrefix: prefix });
  try {
    const admitted = await topology.query(`mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { url } } }`, { input: { subgraph: "catalogue", agencyCode: "SPO", url: spo.url } }, admin);
    expect(admitted.errors).toBeUndefined();
    const register = (agencyCode: string, serial: string) =>
      topology.query(
        `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }`,
        { input: { agencyCode, identifier: `${agencyCode}-S-${serial}`, title: `資料集${serial}`, description: "d", category: "公共資訊", accrualPeriodicity: "每1年", resources: [] } },
        admin,
      );
    expect((await register("SPO", "before")).errors).toBeUndefined();
    expect(await eventually(drifts, (found) => found.length === 0, 60_000)).toEqual([]);

    await spo.kill();
    for (let serial = 0; serial < 5; serial++) expect((await register("MOJ", `while-${serial}`)).errors).toBeUndefined();
    // Meanwhile SPO's writes are refused, and nothing is written anywhere for them.
    expect((await register("SPO", "while")).errors?.[0].extensions?.code).toBe("SHARD_UNAVAILABLE");
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 2000));

    await spo.restart();
    const after = await eventually(() => register("SPO", "after"), (answer) => answer.errors === undefined, 30_000);
    expect(after.errors).toBeUndefined();
    expect(await eventually(drifts, (found) => found.length === 0, 60_000)).toEqual([]);
    const mine = await topology.query<{ agency: { progress: { datasetsOnPlatform: number } } }>(`{ agency(code: "SPO") { progress { datasetsOnPlatform } } }`);
    const theirs = await topology.query<{ catalogueSummary: { published: number } }>(`{ catalogueSummary(agencyCodes: ["SPO"]) { published } }`);
    expect(mine.data!.agency.progress.datasetsOnPlatform).toBe(theirs.data!.catalogueSummary.published);
  } finally {
    await topology.query(`mutation { removeShard(input: { subgraph: "catalogue", agencyCode: "SPO" }) { shard { url } } }`, {}, admin);
    await spo.stop();
  }
}, 180_000);

test("a shard admitted at run time is followed without a restart", async () => {
  const catalogue = await topology.startInstance("catalogue", "THPO");
  const feedback = await topology.startInstance("feedback", "THPO");
  for (const [subgraph, instance] of [["catalogue", catalogue], ["feedback", feedback]] as const) {
    const admitted = await topology.query(
      `mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { url } } }`,
      { input: { subgraph, agencyCode: "THPO", url: instance.url } },
      admin,
    );
    expect(admitted.errors).toBeUndefined();
  }
  const published = (await topology.query<{ catalogueSummary: { published: number } }>(`{ catalogueSummary(agencyCodes: ["THPO"]) { published } }`)).data!.catalogueSummary.published;
  expect(published).toBeGreaterThan(0);
  const read = () => topology.query<{ agency: { progress: { datasetsOnPlatform: number; commentsReceived: number } } }>(`{ agency(code: "THPO") { progress { datasetsOnPlatform } } }`);
  const answer = await eventually(read, (response) => response.data?.agency.progress.datasetsOnPlatform === published, 60_000);
  expect(answer.data!.agency.progress.datasetsOnPlatform).toBe(published);
  expect(await eventually(drifts, (list) => list.length === 0, 60_000)).toEqual([]);
}, 120_000);
