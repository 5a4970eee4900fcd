/**
 * Process isolation and supervision under a real `npm start`, on its embedded
 * PostgreSQL as the quick start runs it: each agency's shards run in their
 * own process; killing one agency's process costs only that agency (partial
 * answers naming it alone) until the supervisor has restarted it, and only a
 * signal stops the platform, PostgreSQL last, leaving nothing running; nor
 * does the supervisor killed outright.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../contract/config";
import { portTaken } from "../contract/listen";
import { freePort, freeTopologyPort } from "./processes";
import { eventually } from "./eventually";

const dataDir = mkdtempSync(join(tmpdir(), "govgraph-supervision-"));
// Open to others: as root, the embedded PostgreSQL runs as the postgres user, who must enter it.
chmodSync(dataDir, 0o755);
let platform: ChildProcess | undefined;
let output = "";

afterAll(async () => {
  // A test that failed half-way leaves the platform running: stop it as Ctrl-C would (it stops its children), then insist.
  if (platform && platform.exitCode === null && platform.signalCode === null) {
    const exited = new Promise((resolveExit) => platform!.once("exit", resolveExit));
    platform.kill("SIGINT");
    const stopped = await Promise.race([exited.then(() => true), new Promise((resolveWait) => setTimeout(() => resolveWait(false), 30_000))]);
    // Killed, the supervisor leaves PostgreSQL's keeper without a parent, and the keeper stops PostgreSQL.
    if (!stopped) platform.kill("SIGKILL");
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Waits for `probe` to give a value; past the deadline, fails with what the platform printed so far. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const value = await eventually(() => probe().catch(() => undefined), (found) => found !== undefined, timeoutMs);
  if (value === undefined) throw new Error(`timed out waiting for ${what}; output so far:\n${output}`);
  return value;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Answer {
  data: { agencies: { code: string; datasets: { totalCount: number } | null }[] } | null;
  errors?: { message: string; extensions?: { code?: string; agencyCode?: string } }[];
}

let gatewayPort: number;
let postgresPort: number;

/** `npm start` (its built script) on the test's data folder and ports; resolves once it says it is ready, with the processes it lists. */
async function startPlatform(): Promise<{ supervisor: ChildProcess; exit: Promise<number | null>; pids: { subgraph: string; agency: string; pid: number }[] }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GATEWAY_PORT: String(gatewayPort),
    GOVGRAPH_PG_PORT: String(postgresPort),
    GOVGRAPH_DATA_DIR: dataDir,
    GOVGRAPH_HEALTH_INTERVAL_MS: "1000",
    LOG_LEVEL: "warn",
  };
  delete env.GOVGRAPH_TOPOLOGY;
  delete env.DATABASE_URL;
  output = "";
  const supervisor = spawn(process.execPath, [join(projectRoot, "dist", "scripts", "start.js")], { env, stdio: ["ignore", "pipe", "pipe"] });
  platform = supervisor;
  supervisor.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  supervisor.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolveExit) => supervisor.once("exit", (code) => resolveExit(code)));
  // The first start migrates and seeds 20 databases: minutes on a loaded 2-core machine.
  await waitFor("the platform to be ready", async () => (output.includes("ready: GraphQL") ? true : undefined), 600_000);
  // Its table: service, agency (— for the ministry's), url, database, pid.
  const pids = [...output.matchAll(/^(\w+)\s+(\w+|—)\s+http\S+\s+\S+\s+(\d+)\s*$/gm)].map(([, subgraph, agency, pid]) => ({ subgraph, agency, pid: Number(pid) }));
  return { supervisor, exit, pids };
}

beforeAll(async () => {
  gatewayPort = await freeTopologyPort();
  postgresPort = await freePort();
});

test("a crashed agency process costs only that agency, comes back by itself, and only a signal stops the platform", async () => {
  const { supervisor, exit, pids } = await startPlatform();
  const pidOf = (agency: string) => new Set(pids.filter((row) => row.agency === agency).map((row) => row.pid));
  // One process per agency: both of its shards, and no other agency's.
  expect(pidOf("ACA").size).toBe(1);
  expect(pidOf("MOJ").size).toBe(1);
  const aca = [...pidOf("ACA")][0];
  expect(aca).not.toBe([...pidOf("MOJ")][0]);

  const ask = async (): Promise<Answer> => {
    const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ agencies { code datasets(first: 1) { totalCount } } }" }),
    });
    return (await response.json()) as Answer;
  };
  const whole = await ask();
  expect(whole.errors).toBeUndefined();
  expect(whole.data!.agencies).toHaveLength(9);

  process.kill(aca, "SIGKILL");
  const partial = await waitFor("an answer without ACA", async () => {
    const answer = await ask();
    return answer.errors?.length ? answer : undefined;
  }, 30_000);
  expect(partial.errors!.every((error) => error.extensions?.code === "SHARD_UNAVAILABLE" && error.extensions.agencyCode === "ACA")).toBe(true);
  for (const agency of partial.data!.agencies) {
    if (agency.code === "ACA") expect(agency.datasets).toBeNull();
    else expect(agency.datasets!.totalCount).toBeGreaterThan(0);
  }
  // The gateway may see ACA gone before the supervisor has handled its exit: the report comes, but not always first.
  await waitFor("the supervisor to report ACA's exit", async () => (/agency-ACA \(catalogue:ACA, feedback:ACA\) exited with SIGKILL; restarting in/.test(output) ? true : undefined), 30_000);

  await waitFor("ACA to answer again", async () => {
    const answer = await ask();
    return !answer.errors && answer.data!.agencies.every((agency) => agency.datasets) ? answer : undefined;
  }, 120_000);
  await waitFor("the supervisor to report ACA back", async () => (output.includes("agency-ACA (catalogue:ACA, feedback:ACA) is back") ? true : undefined), 60_000);
  expect(supervisor.exitCode).toBeNull();

  const back = Number(/agency-ACA \(catalogue:ACA, feedback:ACA\) is back \(pid (\d+)\)/.exec(output)![1]);
  supervisor.kill("SIGINT");
  expect(await exit).toBe(0);
  expect(output).toContain("stopped: no process left running");
  // Nine agencies' catalogue and feedback, metrics, the panel, the gateway.
  expect(pids).toHaveLength(21);
  for (const pid of [back, ...pids.map((row) => row.pid)]) expect(alive(pid)).toBe(false);
  // PostgreSQL stopped last: no subgraph saw its database go away under it, and it no longer listens.
  const logs = readdirSync(join(dataDir, "logs")).map((file) => readFileSync(join(dataDir, "logs", file), "utf8"));
  expect(logs.join("\n")).not.toMatch(/terminating connection due to administrator command|the database system is shutting down/);
  expect(await portTaken("127.0.0.1", postgresPort)).toBe(false);
}, 900_000);

test("killed outright, the supervisor leaves nothing running: every process it started stops, and their ports are free again", async () => {
  const { supervisor, exit, pids } = await startPlatform();
  const processes = new Set(pids.map((row) => row.pid));
  // One per agency, one per ministry subgraph, the gateway.
  expect(processes.size).toBe(12);
  supervisor.kill("SIGKILL");
  await exit;
  // Each stops as on SIGTERM, with its drain: seconds, not at once.
  const left = await eventually(
    async () => [...processes].filter(alive),
    (running) => running.length === 0,
    30_000,
  );
  expect(left).toEqual([]);
  expect(await portTaken("127.0.0.1", gatewayPort)).toBe(false);
  await eventually(() => portTaken("127.0.0.1", postgresPort), (taken) => !taken, 60_000);
  expect(await portTaken("127.0.0.1", postgresPort)).toBe(false);
}, 900_000);
