/**
 * npm start: the whole platform on this machine.
 *
 * 1. PostgreSQL: the server at DATABASE_URL, or an embedded one whose data
 *    stays in .govgraph/postgres (so a restart keeps the data).
 * 2. Subgraphs: one process per subgraph; the catalogue and feedback
 *    processes run one instance (own port, own database) per agency of
 *    schema/agencies.json. Each instance creates and migrates its database,
 *    and seeds it the first time.
 * 3. The gateway, once every instance is ready.
 * Ctrl-C or SIGTERM stops the gateway, then the subgraphs, then PostgreSQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AGENCY_CODES } from "../contract/agencies";
import { localTopology } from "../contract/topology";
import { agencySubgraphs, ministrySubgraphs } from "../subgraphs";
import { config, loadSecrets, projectRoot } from "../contract/config";
import { databaseName } from "../subgraphs/kit/database";

interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

interface Service {
  name: string;
  args: string[];
  /** What the process serves: [subgraph, agency code or "", URL]. */
  instances: [string, string, string][];
  child?: ChildProcess;
}

const started = Date.now();
const logDir = join(config.dataDir, "logs");
const say = (message: string) => console.log(`[govgraph ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

async function startPostgres(): Promise<EmbeddedPostgres | undefined> {
  if (config.databaseUrl) return undefined;
  const module = (await import(pathToFileURL(join(projectRoot, "scripts", "embedded-postgres.mjs")).href)) as {
    startEmbeddedPostgres(options: { dir: string; port: number }): Promise<EmbeddedPostgres>;
  };
  return module.startEmbeddedPostgres({ dir: join(config.dataDir, "postgres"), port: config.embeddedPostgresPort });
}

async function waitUntilReady(url: string, service: Service, timeoutMs = 60_000): Promise<void> {
  const readiness = url.replace(/\/graphql$/, "/readiness");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child?.exitCode !== null) throw new Error(`${service.name} exited (code ${service.child?.exitCode}); see ${join(logDir, `${service.name}.log`)}`);
    try {
      if ((await fetch(readiness)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s; see ${join(logDir, `${service.name}.log`)}`);
}

function spawnService(service: Service, env: NodeJS.ProcessEnv): void {
  const log = createWriteStream(join(logDir, `${service.name}.log`), { flags: "a" });
  const child = spawn(process.execPath, service.args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  service.child = child;
}

function stopService(service: Service, timeoutMs = 10_000): Promise<void> {
  const child = service.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}

/** Fails early, and says which, when a port of the topology is taken (another GovGraph still running?). */
async function assertPortsFree(urls: string[]): Promise<void> {
  for (const url of urls) {
    const { hostname, port } = new URL(url);
    await new Promise<void>((resolveProbe, reject) => {
      const probe = createServer();
      probe.once("error", () => reject(new Error(`${hostname}:${port} is in use: stop what runs there, or set GATEWAY_PORT to move the whole topology.`)));
      probe.listen(Number(port), hostname, () => probe.close(() => resolveProbe()));
    });
  }
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const topology = localTopology();
  const serve = join(__dirname, "serve.js");
  const subgraphServices: Service[] = [
    ...agencySubgraphs.map((name) => ({
      name,
      args: [serve, ...AGENCY_CODES.map((code) => `${name}:${code}`)],
      instances: AGENCY_CODES.map((code): [string, string, string] => [name, code, topology.shards[name][code]]),
    })),
    ...ministrySubgraphs.map((name) => ({ name, args: [serve, name], instances: [[name, "", topology.subgraphs[name]]] as [string, string, string][] })),
  ];
  const gatewayUrl = `http://${config.host}:${config.gatewayPort}/graphql`;
  const gateway: Service = { name: "gateway", args: [join(__dirname, "gateway.js")], instances: [["gateway", "", gatewayUrl]] };
  const services = [...subgraphServices, gateway];
  await assertPortsFree(services.flatMap((service) => service.instances.map(([, , url]) => url)));

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
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`stopping (${reason})`);
    await stopService(gateway);
    await Promise.all(subgraphServices.map((service) => stopService(service)));
    await postgres?.stop().catch(() => undefined);
    say("stopped: no process left running");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown("SIGINT", 0));
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));

  try {
    say(`starting ${subgraphServices.reduce((n, s) => n + s.instances.length, 0)} subgraph instances in ${subgraphServices.length} processes`);
    subgraphServices.forEach((service) => spawnService(service, env));
    await Promise.all(subgraphServices.flatMap((service) => service.instances.map(([, , url]) => waitUntilReady(url, service))));
    spawnService(gateway, env);
    await waitUntilReady(gatewayUrl, gateway);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await shutdown("start failed", 1);
    return;
  }
  for (const service of services) {
    service.child!.once("exit", (code, signal) => void shutdown(`${service.name} exited (${signal ?? code}); see ${logDir}`, 1));
  }

  const rows = services.flatMap((service) =>
    service.instances.map(([subgraph, agency, url]) => [
      subgraph,
      agency || "—",
      url,
      subgraph === "gateway" ? "—" : databaseName(subgraph, agency || undefined),
      String(service.child!.pid),
    ]),
  );
  const header = ["service", "agency", "url", "database", "pid"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${rows.map(line).join("\n")}\n`);
  say(`ready: GraphQL over HTTP and WebSocket at ${gatewayUrl}`);
  console.log(`  logs: ${logDir}\n  a token: npm run token -- --role MINISTRY_ADMIN\n  Ctrl-C stops everything.`);
  console.log(`  PostgreSQL: ${serverUrl.replace(/:[^:@/]*@/, ":***@")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
