/**
 * A subgraph instance as a process of its own (node dist/scripts/serve.js
 * <spec>), started on a free loopback port and ready when it returns: for
 * tests that kill a shard and start it again on the same port, and for
 * benchmarks that measure one instance apart from the load generator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../contract/config";
import { freePort } from "../contract/listen";

export interface SubgraphProcess {
  url: string;
  /** Kills the process abruptly (SIGKILL: no drain, connections cut). */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it is ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The CPU time the process has used, in ms, as the kernel counts it (Linux). */
  cpuMs(): number;
}

// A first start migrates and seeds a database: on a loaded 2-core CI machine that alone can take a minute.
async function waitUntilReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the subgraph process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url.replace(/\/graphql$/, "/readiness"))).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

export interface SubgraphProcessOptions {
  serverUrl: string;
  databasePrefix: string;
  /** Added to this process's environment; a variable set to undefined is left out. */
  env?: Record<string, string | undefined>;
  /** Options for node itself, before the script (--inspect=…, for a bench to profile the process). */
  nodeOptions?: string[];
}

export async function startSubgraphProcess(spec: string, options: SubgraphProcessOptions): Promise<SubgraphProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, [...(options.nodeOptions ?? []), join(projectRoot, "dist", "scripts", "serve.js"), spec], {
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
    cpuMs() {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
  };
}
