// Builds dist/ and starts one embedded PostgreSQL for the whole test run,
// unless DATABASE_URL names a server to use instead (CI runs the suite both
// ways). Test files create their own databases on it under a unique prefix.
import { execSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../scripts/embedded-postgres.mjs";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  // Tests that kill and restart a shard run it as a real process, from the compiled dist/.
  execSync("npm run build --silent", { stdio: "inherit" });
  if (process.env.DATABASE_URL) return;
  const dir = mkdtempSync(join(tmpdir(), "govgraph-test-pg-"));
  const postgres = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  process.env.DATABASE_URL = postgres.url;
  globalThis.__GOVGRAPH_TEST_POSTGRES__ = postgres;
}
