/**
 * Databases: one per subgraph instance. An agency shard's database is named
 * after its subgraph and agency (govgraph_catalogue_moj); a ministry
 * subgraph's after its subgraph alone (govgraph_metrics).
 */
import { Client } from "pg";
import { config } from "../../contract/config";

export function databaseName(subgraph: string, agencyCode?: string, prefix = config.databasePrefix): string {
  const parts = [prefix, subgraph, agencyCode?.toLowerCase()].filter(Boolean);
  return parts.join("_").replace(/[^a-z0-9_]/gi, "_");
}

/** The URL of database `name` on the server that `serverUrl` points at. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505";

/**
 * Creates the database if it does not exist yet; true when it was created.
 * Several processes may race to create the same database: the loser's
 * duplicate error means "already there", not a failure.
 */
export async function ensureDatabase(serverUrl: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: serverUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name}"`);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Drops databases whose names start with `prefix`: used by tests to leave a shared server clean. */
export async function dropDatabases(serverUrl: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like $1",
      [`${prefix.replace(/_/g, "\\_")}\\_%`],
    );
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}
