/**
 * `npm start` refuses a start that cannot work at once, saying why and what
 * to do: a port Node's fetch refuses, a port taken, a folder the embedded
 * PostgreSQL cannot enter as root, instances not ready in time (named).
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { config, projectRoot } from "../contract/config";
import { dropDatabases } from "../subgraphs/kit/database";
import { EPHEMERAL_PORTS } from "../contract/listen";
import { BAD_PORTS, folderClosedToOthers, portProblem } from "../scripts/preflight";
import { freePort, freeTopologyPort } from "./processes";

const run = promisify(execFile);
const prefix = `t${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  await dropDatabases(process.env.DATABASE_URL!, prefix);
});

/** Runs `node dist/scripts/start.js` with `env` on top of a clean environment; resolves with its exit code and output. */
async function start(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number; output: string; ms: number }> {
  const base = { ...process.env };
  for (const key of ["GOVGRAPH_TOPOLOGY", "DATABASE_URL", "GATEWAY_PORT", "GOVGRAPH_PG_PORT"]) delete base[key];
  const began = Date.now();
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, "dist", "scripts", "start.js")], {
      env: { ...base, GOVGRAPH_DATA_DIR: mkdtempSync(join(tmpdir(), "govgraph-start-")), ...env },
      timeout: timeoutMs,
    });
    return { code: 0, output: stdout + stderr, ms: Date.now() - began };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr, ms: Date.now() - began };
  }
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolveListen) => {
    const server = createServer();
    server.listen(port, "127.0.0.1", () => resolveListen(server));
  });
}

test("the bad-port list is the one Node's fetch refuses", async () => {
  for (const port of BAD_PORTS) {
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ cause: expect.objectContaining({ message: "bad port" }) });
  }
  expect(portProblem(4000, "the gateway", "GATEWAY_PORT")).toBeNull();
  expect(portProblem(6000, "the gateway", "GATEWAY_PORT")).toMatch(/refuse/);
});

test("the embedded PostgreSQL's default port is outside Linux's ephemeral range and usable", () => {
  expect(config.embeddedPostgresPort < EPHEMERAL_PORTS.from || config.embeddedPostgresPort > EPHEMERAL_PORTS.to).toBe(true);
  expect(portProblem(config.embeddedPostgresPort, "PostgreSQL", "GOVGRAPH_PG_PORT")).toBeNull();
});

test("GATEWAY_PORT=6000: refused at once, saying fetch refuses the port and what to set", async () => {
  const result = await start({ GATEWAY_PORT: "6000", DATABASE_URL: process.env.DATABASE_URL! });
  expect(result.code).toBe(1);
  expect(result.output).toContain("port 6000, which browsers and Node's fetch refuse to connect to");
  expect(result.output).toContain("set GATEWAY_PORT to another port");
  expect(result.ms).toBeLessThan(30_000);
});

test("the embedded PostgreSQL's port taken: says so and names GOVGRAPH_PG_PORT", async () => {
  const pgPort = await freePort();
  const blocker = await occupy(pgPort);
  try {
    const result = await start({ GATEWAY_PORT: String(await freeTopologyPort()), GOVGRAPH_PG_PORT: String(pgPort) });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`Port ${pgPort} of the embedded PostgreSQL is in use`);
    expect(result.output).toContain("GOVGRAPH_PG_PORT");
  } finally {
    blocker.close();
  }
});

const asRoot = process.getuid?.() === 0 ? test : test.skip;

asRoot("as root, a data folder the postgres user cannot enter: says which folder and what to do, before starting anything", async () => {
  const closed = mkdtempSync(join(tmpdir(), "govgraph-closed-"));
  const dataDir = join(closed, "data");
  mkdirSync(dataDir);
  expect(folderClosedToOthers([dataDir])).toBe(closed);
  const result = await start({ GATEWAY_PORT: String(await freeTopologyPort()), GOVGRAPH_PG_PORT: String(await freePort()), GOVGRAPH_DATA_DIR: dataDir });
  expect(result.code).toBe(1);
  expect(result.output).toContain(`the "postgres" user, which cannot enter ${closed} (mode 700)`);
  expect(result.output).toContain(`chmod o+x ${closed}`);
  expect(result.output).not.toContain("EACCES");
});

test("instances not ready within GOVGRAPH_START_TIMEOUT_MS: the start fails naming each one, and stops what it started", async () => {
  const result = await start({ GATEWAY_PORT: String(await freeTopologyPort()), DATABASE_URL: process.env.DATABASE_URL!, GOVGRAPH_DB_PREFIX: prefix, GOVGRAPH_START_TIMEOUT_MS: "1" });
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/Not ready within 0\.001 s \(GOVGRAPH_START_TIMEOUT_MS\): .*catalogue:MOJ .*agency-MOJ\.log/);
  expect(result.output).toContain("feedback:AJ");
  expect(result.output).toContain("stopped: no process left running");
}, 90_000);
