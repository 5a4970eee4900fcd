/**
 * Gateway replicas sharing one routing table (the gateway's database): a
 * shard admitted through one replica is routed by the other within a second;
 * of two admissions of one agency at once, exactly one wins and the other is
 * a CONFLICT; a replica cut off from the database catches up from the table
 * once it is back; and the transfer relay runs on one replica at a time, the
 * other taking it over when that replica is killed, no request moved twice.
 * The tests run in order and share one topology.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { Client } from "pg";
import { Role } from "../contract/claims";
import { config, projectRoot } from "../contract/config";
import { freePort } from "../contract/listen";
import type { RunningGateway } from "../gateway/server";
import { databaseName, databaseUrl } from "../subgraphs/kit/database";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";
import { eventually } from "./eventually";

interface DatabaseProxy {
  /** The URL of a database on the server, through the proxy. */
  url(database: string): string;
  /** Drops every connection and refuses new ones, as a network cut would. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of the test's PostgreSQL, which the test can cut and restore. */
async function startDatabaseProxy(serverUrl: string): Promise<DatabaseProxy> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      sockets.add(from);
      from.pipe(to);
      from.on("error", () => to.destroy());
      from.on("close", () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as AddressInfo;
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    url(database) {
      const url = new URL(databaseUrl(serverUrl, database));
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    cut,
    restore: () => void (open = true),
    close: () => {
      cut();
      return new Promise((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

interface LogLine {
  msg: string;
  job?: string;
  request?: string;
}

/** A gateway replica as a real process (node dist/scripts/gateway.js), which a test can kill. */
interface GatewayProcess {
  url: string;
  logs: LogLine[];
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(projectRoot, "dist", "scripts", "gateway.js")], {
    env: { ...process.env, ...env, GATEWAY_PORT: String(port), LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs: LogLine[] = [];
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway process exited with ${child.exitCode}`);
    const ready = await fetch(url.replace(/\/graphql$/, "/readiness")).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error("the gateway process was not ready within 60 s");
    await sleep(100);
  }
  return {
    url,
    logs,
    child,
    stop: () =>
      new Promise<void>((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
        child.once("exit", () => resolveExit());
        child.kill("SIGTERM");
      }),
  };
}

const sleep = (ms: number) => new Promise((resolveDelay) => setTimeout(resolveDelay, ms));

let topology: TestTopology;
/** The second replica; it reaches the gateway's database through a proxy the test can cut. */
let replica: RunningGateway;
let proxy: DatabaseProxy;
let admin: string;
const processes: GatewayProcess[] = [];

beforeAll(async () => {
  // The in-process replicas leave the relay to the replicas of the last test, which run as processes.
  topology = await startTestTopology(["MOJ", "ACA"], { healthIntervalMs: 500, transferIntervalMs: 0 });
  proxy = await startDatabaseProxy(topology.serverUrl);
  replica = await topology.startGateway({ database: proxy.url(databaseName("gateway", undefined, topology.prefix)) });
  admin = await topology.token(Role.MINISTRY_ADMIN);
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((gateway) => gateway.stop()));
  await topology?.stop();
  await proxy?.close();
}, 60_000);

async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>, token = admin): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

const ADMIT = "mutation($input: AdmitShardInput!) { admitShard(input: $input) { shard { agencyCode url } } }";
const admit = (gateway: string, agencyCode: string, url: string) => gql(gateway, ADMIT, { input: { subgraph: "catalogue", agencyCode, url } });
const summaryOf = (agencyCode: string) => `{ catalogueSummary(agencyCodes: ["${agencyCode}"]) { datasets } }`;
const catalogueUrlOf = async (gateway: string, agencyCode: string) => {
  const listed = await gql<{ shards: { subgraph: string; agencyCode: string; url: string }[] }>(gateway, "{ shards { subgraph agencyCode url } }");
  expect(listed.errors).toBeUndefined();
  return listed.data!.shards.find((shard) => shard.subgraph === "catalogue" && shard.agencyCode === agencyCode)?.url;
};

test("a shard admitted through one replica is routed by the other within a second", async () => {
  const thpo = await topology.startInstance("catalogue", "THPO");
  expect((await gql(replica.url, summaryOf("THPO"))).errors?.[0].extensions?.code).toBe("NOT_FOUND");

  const admitted = await admit(topology.gateway.url, "THPO", thpo.url);
  expect(admitted.errors).toBeUndefined();
  const answeredAt = performance.now();
  // A question to the other replica every 100 ms, not waiting for the answers: what counts is when the
  // first one that found THPO was sent, not how long this loaded machine took to answer it.
  const found: number[] = [];
  const asked: Promise<void>[] = [];
  while (found.length === 0 && performance.now() - answeredAt < 10_000) {
    const sentAt = performance.now();
    asked.push(
      gql<{ catalogueSummary: { datasets: number } }>(replica.url, summaryOf("THPO")).then((answer) => {
        if (!answer.errors && answer.data!.catalogueSummary.datasets > 0) found.push(sentAt - answeredAt);
      }),
    );
    await sleep(100);
  }
  await Promise.all(asked);
  expect(found.length).toBeGreaterThan(0);
  expect(Math.min(...found)).toBeLessThan(1000);
  expect(await catalogueUrlOf(replica.url, "THPO")).toBe(thpo.url);
});

test("two admissions of one agency at once, one through each replica: exactly one wins, the other is refused with CONFLICT", async () => {
  // Three instances of AEA's catalogue on its one database (the first migrates it): three places it may be routed to.
  const first = await topology.startInstance("catalogue", "AEA");
  const [second, third] = await Promise.all([topology.startInstance("catalogue", "AEA"), topology.startInstance("catalogue", "AEA")]);
  const race = async (throughFirst: string, throughReplica: string) => {
    // "At once": each reads the row's version, checks its shard (which takes a while), then writes. On a loaded
    // machine one could finish before the other reads, which would make the second a later move, rightly admitted;
    // so writes to the table wait here until both admissions are waiting to write, having both read.
    const holder = new Client({ connectionString: databaseUrl(topology.serverUrl, databaseName("gateway", undefined, topology.prefix)) });
    await holder.connect();
    await holder.query("begin");
    await holder.query("lock table shard_route in exclusive mode");
    const answering = Promise.all([admit(topology.gateway.url, "AEA", throughFirst), admit(replica.url, "AEA", throughReplica)]);
    const deadline = Date.now() + 60_000;
    const waitingWriters = async () =>
      (await holder.query<{ count: number }>("select count(*)::int as count from pg_locks where relation = 'shard_route'::regclass and not granted")).rows[0].count;
    while ((await waitingWriters()) < 2 && Date.now() < deadline) await sleep(50);
    await holder.query("commit");
    await holder.end();
    const answers = await answering;
    const won = answers.filter((answer) => !answer.errors);
    const refused = answers.filter((answer) => answer.errors);
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0].data).toBeNull();
    expect(refused[0].errors![0].extensions).toEqual({ code: "CONFLICT", agencyCode: "AEA", subgraph: "catalogue" });
    expect(refused[0].errors![0].message).toBe(
      "The catalogue shard of AEA was changed by another admission or removal while this one was under way; nothing was changed. Read `shards` and try again.",
    );
    const winner = (won[0].data as { admitShard: { shard: { url: string } } }).admitShard.shard.url;
    // Both replicas route by the winner's choice.
    for (const gateway of [topology.gateway.url, replica.url]) {
      expect(await eventually(() => catalogueUrlOf(gateway, "AEA"), (url) => url === winner, 5000)).toBe(winner);
    }
    return winner;
  };
  // An agency the registry has no row for yet…
  const winner = await race(first.url, second.url);
  // …and one it has: a move.
  const loser = winner === first.url ? second.url : first.url;
  await race(loser, third.url);
  const rows = await topology.sql<{ url: string }>("gateway", "select url from shard_route where agency_code = 'AEA'");
  expect(rows).toHaveLength(1);
  expect([loser, third.url]).toContain(rows[0].url);
});

test("a replica cut off from the database misses the notification, and catches up from the table once it is back", async () => {
  proxy.cut();
  const removed = await gql(topology.gateway.url, "mutation { removeShard(input: { subgraph: \"catalogue\", agencyCode: \"THPO\" }) { shard { url } } }");
  expect(removed.errors).toBeUndefined();
  // Cut off, the replica still routes by the table it read last.
  await sleep(1500);
  expect(await catalogueUrlOf(replica.url, "THPO")).toBe(topology.instances.get("catalogue:THPO")!.url);

  proxy.restore();
  expect(await eventually(() => catalogueUrlOf(replica.url, "THPO"), (url) => url === undefined)).toBeUndefined();
  expect((await gql(replica.url, summaryOf("THPO"))).errors?.[0].extensions?.code).toBe("NOT_FOUND");
});

test("killing the replica that runs the transfer relay lets the other take it over, and no request is moved twice", async () => {
  const topologyFile = join(config.dataDir, "replicas-topology.json");
  writeFileSync(
    topologyFile,
    JSON.stringify({
      subgraphs: { metrics: topology.instances.get("metrics")!.url, advisory: topology.instances.get("advisory")!.url },
      shards: Object.fromEntries(["catalogue", "feedback"].map((name) => [name, Object.fromEntries(["MOJ", "ACA"].map((code) => [code, topology.instances.get(`${name}:${code}`)!.url]))])),
    }),
  );
  const env = { DATABASE_URL: topology.serverUrl, GOVGRAPH_DB_PREFIX: topology.prefix, GOVGRAPH_TOPOLOGY: topologyFile, GOVGRAPH_TRANSFER_INTERVAL_MS: "200" };
  const RELAY_TAKEN = "this replica now runs the job (it holds the job's lock)";
  const holds = (gateway: GatewayProcess) => gateway.logs.some((line) => line.msg === RELAY_TAKEN && line.job === "transfer-relay");
  const moves = (gateway: GatewayProcess) => gateway.logs.filter((line) => line.msg === "dataset request moved").map((line) => line.request!);

  const holder = await startGatewayProcess(env);
  processes.push(holder);
  expect(await eventually(async () => holds(holder), Boolean)).toBe(true);
  const other = await startGatewayProcess(env);
  processes.push(other);

  const staff = await topology.token(Role.AGENCY_STAFF, "MOJ");
  const reassign = async (gateway: string, title: string): Promise<string> => {
    const submitted = await gql<{ submitDatasetRequest: { request: { id: string } } }>(
      gateway,
      "mutation($input: SubmitDatasetRequestInput!) { submitDatasetRequest(input: $input) { request { id } } }",
      { input: { agencyCode: "MOJ", email: "hsu@example.org", title, body: "希望開放各監所收容人數之每日資料。" } },
      "",
    );
    expect(submitted.errors).toBeUndefined();
    const id = submitted.data!.submitDatasetRequest.request.id;
    const reassigned = await gql(
      gateway,
      "mutation($input: ReassignDatasetRequestInput!) { reassignDatasetRequest(input: $input) { request { state } } }",
      { input: { agencyCode: "MOJ", requestId: id, toAgencyCode: "ACA", reason: "收容資料由矯正署提供" } },
      staff,
    );
    expect(reassigned.errors).toBeUndefined();
    return id;
  };

  // Reassigned through the replica that does not run the relay: the one that does moves them.
  const before = [];
  for (let i = 0; i < 4; i++) before.push(await reassign(other.url, `監所收容人數每日資料 ${i}`));
  // Killed as soon as it has moved one: the others may be half-way.
  expect(await eventually(async () => moves(holder).length, (n) => n > 0, 30_000)).toBeGreaterThan(0);
  // While the holder lived, the other replica neither held the relay nor moved anything.
  expect({ holds: holds(other), moves: moves(other) }).toEqual({ holds: false, moves: [] });
  holder.child.kill("SIGKILL");
  await new Promise((resolveExit) => (holder.child.exitCode !== null || holder.child.signalCode !== null ? resolveExit(null) : holder.child.once("exit", resolveExit)));

  const after = [await reassign(other.url, "矯正機關戒護人力"), await reassign(other.url, "各監所醫療資源")];
  const all = [...before, ...after];
  const stateAt = async (agencyCode: string, id: string) =>
    (await topology.sql<{ state: string }>(`feedback:${agencyCode}`, "select state from dataset_request where id = $1", [id])).map((row) => row.state);
  await eventually(async () => Promise.all(all.map((id) => stateAt("MOJ", id))), (states) => states.every(([state]) => state === "TRANSFERRED"), 30_000);

  expect(holds(other)).toBe(true);
  for (const id of all) {
    expect({ id, source: await stateAt("MOJ", id), target: await stateAt("ACA", id) }).toEqual({ id, source: ["TRANSFERRED"], target: ["OPEN"] });
  }
  const moved = [...moves(holder), ...moves(other)];
  expect(moved.filter((id, i) => moved.indexOf(id) !== i)).toEqual([]);
  for (const id of after) expect(moves(other)).toContain(id);
}, 180_000);
