/**
 * Loading a published CSV or JSON resource into the agency's own database,
 * so it can be queried as an API: the file is streamed (decoded, parsed)
 * into PostgreSQL's COPY, every column as text into a fresh table; then the
 * database infers each column's type from all its values (integer, decimal,
 * day, else text) and converts it in one rewrite; then the new table
 * replaces the old one under the resource's name, so readers see the old
 * data until the new data is whole. Memory holds a chunk and a record.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { EntityManager } from "@mikro-orm/postgresql";
import { stringify } from "csv-stringify/sync";
import type { ClientBase, PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { quoted } from "../../kit/sql";
import { readGuarded, type ScanSettings } from "../deidentification/gate";
import { csvRecords, decodeText, jsonRecords, structuredFormat } from "../structured/read";

export const ColumnType = { INTEGER: "INTEGER", DECIMAL: "DECIMAL", DATE: "DATE", TEXT: "TEXT" } as const;
export type ColumnType = (typeof ColumnType)[keyof typeof ColumnType];

/** A column of a loaded resource: its name in the file, its column in the table, its inferred type. */
export interface DatastoreColumn {
  name: string;
  column: string;
  type: ColumnType;
}

/** What each type accepts (every non-empty value must match) and how it is stored. Order: the narrowest first. */
export const TYPES: { type: ColumnType; pattern: string; sql: string }[] = [
  { type: ColumnType.INTEGER, pattern: "^-?[0-9]{1,18}$", sql: "bigint" },
  { type: ColumnType.DECIMAL, pattern: "^-?[0-9]{1,30}(\\.[0-9]{1,30})?$", sql: "numeric" },
  { type: ColumnType.DATE, pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", sql: "date" },
];

/** The table of a resource's datastore (one per resource, named by its id). */
/** How a type is stored (text when not one of TYPES). */
export const sqlTypeOf = (type: ColumnType) => TYPES.find((t) => t.type === type)?.sql ?? "text";

export const tableOf = (resourceId: string) => `datastore_${resourceId.replace(/-/g, "")}`;
/** Columns every loaded table has besides the file's: the row's place in the file (the last key of every order). */
export const ROW_COLUMN = "_row";
const columnAt = (index: number) => `c${index + 1}`;

export interface LoadResult {
  encoding: "UTF-8" | "BIG-5";
  bytes: number;
  /** The loaded file's SHA-256 (hex): a file whose digest differs is loaded again. */
  sha256: string;
  columns: DatastoreColumn[];
  rows: number;
}

/** Most columns a loaded file may have (PostgreSQL allows 1600 per table). */
const MAX_COLUMNS = 1000;

/**
 * Runs `load` on a connection of the shard's pool while holding the
 * resource's load lock (a session advisory lock: released if the process
 * dies); null without running it when another load of the resource holds it.
 */
async function whileLoading<T>(em: EntityManager, resourceId: string, load: (client: ClientBase) => Promise<T>): Promise<T | null> {
  const knex = em.getConnection().getKnex();
  const client = (await knex.client.acquireConnection()) as PoolClient;
  const key = [`datastore load ${resourceId}`];
  try {
    const { rows: [{ locked }] } = await client.query<{ locked: boolean }>("select pg_try_advisory_lock(hashtext($1)) as locked", key);
    if (!locked) return null;
    try {
      return await load(client);
    } finally {
      await client.query("select pg_advisory_unlock(hashtext($1))", key);
    }
  } finally {
    await knex.client.releaseConnection(client);
  }
}

/** Streams batches of records (each an array of the columns' values) into a new text table `table` with COPY; returns how many. */
async function copyRows(client: ClientBase, table: string, width: number, batches: AsyncIterable<(string | null)[][]>): Promise<number> {
  const names = Array.from({ length: width }, (_, index) => columnAt(index));
  // Unlogged: a loaded table is a copy of a file, rebuilt by loading it again, so it skips the write-ahead log.
  await client.query(`create unlogged table ${quoted(table)} (${ROW_COLUMN} bigint generated always as identity, ${names.map((name) => `${name} text`).join(", ")})`);
  let rows = 0;
  // A batch becomes one CSV text (csv-stringify writes an empty string for null: with FORMAT csv, an unquoted empty field is NULL, as wanted).
  const csv = async function* () {
    for await (const batch of batches) {
      rows += batch.length;
      if (batch.length > 0) yield stringify(batch);
    }
  };
  await pipeline(Readable.from(csv()), client.query(copyFrom(`copy ${quoted(table)} (${names.join(", ")}) from stdin with (format csv)`)));
  return rows;
}

/** Each column's narrowest type that every non-empty value fits, asked of the database in one pass over the table. */
async function inferTypes(client: ClientBase, table: string, width: number): Promise<ColumnType[]> {
  if (width === 0) return [];
  const tests = Array.from({ length: width }, (_, index) =>
    TYPES.map(({ pattern }, t) => `coalesce(bool_and(${columnAt(index)} ~ '${pattern}') filter (where ${columnAt(index)} <> ''), false) as t${index}_${t}`).join(", "),
  ).join(", ");
  const { rows } = await client.query<Record<string, boolean>>(`select ${tests} from ${quoted(table)}`);
  return Array.from({ length: width }, (_, index) => TYPES.find((_type, t) => rows[0][`t${index}_${t}`])?.type ?? ColumnType.TEXT);
}

/**
 * What the caller records of a load: when it starts, and in the transaction that puts the new table in
 * place. Both on the load's own connection: a load holding one connection of a small pool and waiting
 * for another could stall the shard.
 */
export interface LoadRecorder {
  started(client: ClientBase): Promise<void>;
  swapped(client: ClientBase, loaded: LoadResult): Promise<void>;
}

/**
 * Loads the file at `downloadUrl` into the resource's table (replacing what
 * was there) on one of the shard's connections. Null when another load of the
 * resource is under way (it reads the same file). Throws when the file cannot be read or parsed.
 */
export function loadResourceFile(em: EntityManager, resource: { id: string; downloadUrl: string; format: string }, settings: ScanSettings, recorder: LoadRecorder): Promise<LoadResult | null> {
  return whileLoading(em, resource.id, async (client) => {
    await recorder.started(client);
    return loadResource(client, resource, settings, recorder.swapped);
  });
}

/**
 * Loads the file at `downloadUrl` into the resource's table on `client`'s
 * database (what `loadResourceFile` does on a shard's pool); `swapped` runs in
 * the transaction that replaces the table, so what describes the table changes with it.
 */
export async function loadResource(
  client: ClientBase,
  resource: { id: string; downloadUrl: string; format: string },
  settings: ScanSettings,
  swapped: (client: ClientBase, loaded: LoadResult) => Promise<void> = async () => undefined,
): Promise<LoadResult> {
  const format = structuredFormat(resource.format);
  if (format !== "CSV" && format !== "JSON") throw new Error(`${resource.format} files are not loaded (CSV and JSON are)`);
  const table = tableOf(resource.id);
  const loading = `${table}_loading`;
  // A load is as long as its file: the shard's statement timeout (meant for queries) does not apply to it.
  await client.query("set statement_timeout = 0");
  try {
    await client.query(`drop table if exists ${quoted(loading)}`);
    const { encoding, bytes, sha256, names, rows } = await readGuarded(resource.downloadUrl, settings, async (bytes) => {
      const decoded = await decodeText(bytes);
      const batches = (format === "CSV" ? csvRecords(decoded.text) : jsonRecords(decoded.text))[Symbol.asyncIterator]();
      // The first record names the columns (a JSON file's later records may lack some, or add others, which are dropped).
      let first = await batches.next();
      while (!first.done && first.value.length === 0) first = await batches.next();
      const header = first.done ? [] : Object.keys(first.value[0]).slice(0, MAX_COLUMNS);
      const row = (record: Record<string, string | null>) => header.map((name) => record[name] ?? null);
      async function* values(): AsyncGenerator<(string | null)[][]> {
        if (first.done) return;
        yield first.value.map(row);
        for (let next = await batches.next(); !next.done; next = await batches.next()) yield next.value.map(row);
      }
      const count = await copyRows(client, loading, header.length, values());
      return { encoding: decoded.encoding, bytes: decoded.bytesRead(), sha256: decoded.sha256(), names: header, rows: count };
    });
    const types = await inferTypes(client, loading, names.length);
    const columns = names.map((name, index) => ({ name, column: columnAt(index), type: types[index] }));
    const conversions = columns
      .filter((column) => column.type !== ColumnType.TEXT)
      .map((column) => `alter column ${column.column} type ${sqlTypeOf(column.type)} using nullif(${column.column}, '')::${sqlTypeOf(column.type)}`);
    if (conversions.length > 0) await client.query(`alter table ${quoted(loading)} ${conversions.join(", ")}`);
    // Filtered and ordered pages read an index of each column with the row number (the keyset).
    for (const column of columns.slice(0, 16)) await client.query(`create index on ${quoted(loading)} (${column.column}, ${ROW_COLUMN})`);
    await client.query(`alter table ${quoted(loading)} add primary key (${ROW_COLUMN})`);
    // Statistics before the first page: without them the planner may read every match of a filter and sort it,
    // where the order's index read backwards would stop after a page.
    await client.query(`analyze ${quoted(loading)}`);
    const loaded = { encoding, bytes, sha256, columns, rows };
    await client.query("begin");
    try {
      await client.query(`drop table if exists ${quoted(table)}`);
      await client.query(`alter table ${quoted(loading)} rename to ${quoted(table)}`);
      await swapped(client, loaded);
      await client.query("commit");
    } catch (error) {
      await client.query("rollback");
      throw error;
    }
    return loaded;
  } finally {
    await client.query("reset statement_timeout").catch(() => undefined);
  }
}
