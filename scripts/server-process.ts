/**
 * A server of the platform as a process of its own, started on a loopback
 * port and ready when it returns: a subgraph instance (node dist/scripts/
 * serve.js <spec>) for tests that kill a shard and start it again on the same
 * port, and any server (a subgraph, GovGraph's gateway, a bench's peer) for
 * benchmarks that measure it apart from the load generator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../contract/config";
import { freePort } from "../contract/listen";
import type { Topology } from "../contract/topology";
import { SERVER_NODE_FLAGS } from "./node-flags";

export interface ServerProcess {
  url: string;
  /** Kills the process abruptly (SIGKILL: no drain, connections cut). */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The CPU time the process has used, in ms, as the kernel counts it (Linux). */
  cpuMs(): number;
}

const STOP_TIMEOUT_MS = 15_000;

/** The CPU time, in ms, that a process's /proc/<pid>/stat counts: utime and stime, its fields 14 and 15, in clock ticks (100 a second on Linux). */
export function processCpuMs(stat: string): number {
  const fields = stat.split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Whether the server at `url` (its /graphql address) answers: its /readiness by default. */
type ReadinessProbe = (url: string) => Promise<boolean>;
const readiness: ReadinessProbe = async (url) => (await fetch(url.replace(/\/graphql$/, "/readiness"))).ok;

// A first start migrates and seeds a database: on a loaded 2-core CI machine that alone can take a minute.
async function waitUntilReady(url: string, child: ChildProcess, probe: ReadinessProbe, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process serving ${url} exited with ${child.exitCode}`);
    try {
      if (await probe(url)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

export interface ServerProcessOptions {
  /** Added to this process's environment; a variable set to undefined is left out. */
  env?: Record<string, string | undefined>;
  /** Options for node itself, after SERVER_NODE_FLAGS and before the script (--inspect=…, for a bench to profile the process). */
  nodeOptions?: string[];
  /** The loopback port to listen on (PORT in its environment; default a free one). */
  port?: number;
  probe?: ReadinessProbe;
}

/** `node dist/<script> …args` listening on 127.0.0.1:<port> (given to it as PORT), serving /graphql. */
export async function startServerProcess(script: string, args: string[], options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}/graphql`;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.nodeOptions ?? []), join(projectRoot, "dist", script), ...args], {
      env: { ...process.env, PORT: String(port), ...options.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      await waitUntilReady(url, child, options.probe ?? readiness);
    } catch (error) {
      // A process that never became ready is not left behind.
      child.kill("SIGKILL");
      throw error;
    }
  };
  const exited = () =>
    new Promise<void>((resolveExit) => (child.exitCode !== null || child.signalCode !== null ? resolveExit() : child.once("exit", () => resolveExit())));
  await launch();
  return {
    url,
    async kill() {
      child.kill("SIGKILL");
      await exited();
    },
    restart: launch,
    async stop() {
      child.kill("SIGTERM");
      // A process that does not drain and exit in time is killed: a bench or a test never leaves one behind.
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited();
      clearTimeout(killer);
    },
    cpuMs: () => processCpuMs(readFileSync(`/proc/${child.pid}/stat`, "utf8")),
  };
}

export interface SubgraphProcessOptions extends Omit<ServerProcessOptions, "probe"> {
  serverUrl: string;
  databasePrefix: string;
}

/** A subgraph instance (`metrics`, `catalogue:MOJ`…) on the given PostgreSQL server, its databases named with the prefix. */
export function startSubgraphProcess(spec: string, { serverUrl, databasePrefix, env, ...options }: SubgraphProcessOptions): Promise<ServerProcess> {
  return startServerProcess(join("scripts", "serve.js"), [spec], { ...options, env: { DATABASE_URL: serverUrl, GOVGRAPH_DB_PREFIX: databasePrefix, ...env } });
}

/**
 * GovGraph's gateway over `topology`, without a database: its routing table lives in the process. The topology and
 * the routing table are files of a temporary folder, removed when it stops.
 */
export async function startGatewayProcess(topology: Topology, { env, ...options }: Omit<ServerProcessOptions, "probe"> = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "govgraph-gateway-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const topologyFile = join(dir, "topology.json");
  writeFileSync(topologyFile, JSON.stringify(topology));
  const port = options.port ?? (await freePort());
  try {
    const gateway = await startServerProcess(join("scripts", "gateway.js"), ["--port", String(port)], {
      ...options,
      port,
      env: { DATABASE_URL: undefined, GOVGRAPH_TOPOLOGY: topologyFile, GOVGRAPH_ROUTING_FILE: join(dir, "routing.json"), ...env },
    });
    return {
      ...gateway,
      async stop() {
        await gateway.stop();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Servers started one after another and stopped together: none is left behind, even when a later one fails to start. */
export class ServerGroup {
  private readonly servers: ServerProcess[] = [];

  /** Waits for a server to start and keeps it in the group. */
  async add(started: Promise<ServerProcess>): Promise<ServerProcess> {
    const server = await started;
    this.servers.push(server);
    return server;
  }

  /** The CPU time all of them have used, in ms. */
  cpuMs(): number {
    return this.servers.reduce((sum, server) => sum + server.cpuMs(), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }
}

/** Each agency's catalogue and feedback shard, a process each, started by `start` (given the spec, `catalogue:MOJ`…). */
export async function startAgencyShards(codes: readonly string[], start: (spec: string) => Promise<ServerProcess>) {
  const catalogue = new Map<string, ServerProcess>();
  const feedback = new Map<string, ServerProcess>();
  await Promise.all(
    codes.flatMap((code) => [
      start(`catalogue:${code}`).then((shard) => catalogue.set(code, shard)),
      start(`feedback:${code}`).then((shard) => feedback.set(code, shard)),
    ]),
  );
  const urlsOf = (shards: Map<string, ServerProcess>, chosen: readonly string[]) => Object.fromEntries(chosen.map((code) => [code, shards.get(code)!.url]));
  return {
    catalogue,
    feedback,
    /** The routing table of the `chosen` agencies' shards (a topology's `shards`). */
    routing: (chosen: readonly string[] = codes) => ({ catalogue: urlsOf(catalogue, chosen), feedback: urlsOf(feedback, chosen) }),
  };
}
