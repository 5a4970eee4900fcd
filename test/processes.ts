/**
 * A subgraph instance as a real child process (node dist/scripts/serve.js),
 * for tests that kill a shard and start it again on the same port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../contract/config";
import { freePort } from "../contract/listen";
import { portTaken } from "../scripts/preflight";

export interface ShardProcess {
  url: string;
  /** Kills the process abruptly (SIGKILL: no drain, connections cut). */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export { freePort };

/**
 * A gateway port whose whole local topology (gateway + 1, + 2, + 100…108, + 200…208) is free, below the
 * ephemeral range so that outgoing connections do not take ports of it meanwhile.
 */
export async function freeTopologyPort(): Promise<number> {
  const offsets = [0, 1, 2, ...Array.from({ length: 9 }, (_, i) => 100 + i), ...Array.from({ length: 9 }, (_, i) => 200 + i)];
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const taken = await Promise.all(offsets.map((offset) => portTaken("127.0.0.1", base + offset)));
    if (!taken.includes(true)) return base;
  }
}

// A first start migrates and seeds a database: on a loaded 2-core CI machine that alone can take a minute.
async function waitUntilReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the shard process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url.replace(/\/graphql$/, "/readiness"))).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

export async function startShardProcess(spec: string, options: { serverUrl: string; databasePrefix: string; env?: Record<string, string> }): Promise<ShardProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, [join(projectRoot, "dist", "scripts", "serve.js"), spec], {
      env: { ...process.env, DATABASE_URL: options.serverUrl, GOVGRAPH_DB_PREFIX: options.databasePrefix, PORT: String(port), ...options.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      await waitUntilReady(url, child);
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
      await exited();
    },
  };
}
