/**
 * The routing table in PostgreSQL, shared by every gateway replica: the
 * gateway's own database (`<prefix>_gateway`) on the ministry's server.
 *
 * The topology gives each agency subgraph its shards; the registry records on
 * top of it each agency's admission or move (a URL) or removal (null), one row
 * per shard, so a topology edited later still counts for the agencies the
 * registry never touched. A change is one statement, a compare-and-set on the
 * row's version: of two admissions of the same agency under way at once, the
 * first to commit wins and the other finds the version moved (CONFLICT). A
 * trigger NOTIFYs every replica at commit; a replica then reads the whole
 * table (a few thousand rows at most) and applies it, copy-on-write. A
 * notification carries nothing: a replica whose LISTEN connection dropped
 * reads the table again once it is back, so nothing missed is lost.
 */
import { existsSync, readFileSync } from "node:fs";
import { MikroORM, PostgreSqlDriver } from "@mikro-orm/postgresql";
import { Migration, Migrator } from "@mikro-orm/migrations";
import { isAgencyCode } from "../../contract/agencies";
import { config } from "../../contract/config";
import type { Logger } from "../../contract/logger";
import { listenTo, type Listener } from "../../contract/pg-listen";
import type { Topology } from "../../contract/topology";
import type { RoutingTable } from "../shard-router/routing-table";

export type Shards = Topology["shards"];

/** One registry row: an agency's shard admitted or moved to `url`, or removed (null). */
export interface Route {
  subgraph: string;
  agencyCode: string;
  url: string | null;
}

export const ROUTING_CHANNEL = "govgraph_routing";

/** The table replicas route by: the topology's shards with the registry's rows on top. */
export function routedShards(topology: Shards, routes: readonly Route[]): Shards {
  const shards: Shards = Object.fromEntries(Object.entries(topology).map(([subgraph, byAgency]) => [subgraph, { ...byAgency }]));
  for (const { subgraph, agencyCode, url } of routes) {
    // A row of a subgraph this gateway does not route (another topology) is not its to apply.
    if (!shards[subgraph]) continue;
    if (url === null) delete shards[subgraph][agencyCode];
    else shards[subgraph][agencyCode] = url;
  }
  return shards;
}

/** A routing file of earlier versions (GOVGRAPH_ROUTING_FILE), or undefined when there is none. */
export function loadRoutingFile(path: string): Shards | undefined {
  if (!existsSync(path)) return undefined;
  const shards = JSON.parse(readFileSync(path, "utf8")) as unknown;
  const valid =
    shards !== null &&
    typeof shards === "object" &&
    !Array.isArray(shards) &&
    Object.values(shards).every((byAgency) => byAgency && typeof byAgency === "object" && !Array.isArray(byAgency) && Object.values(byAgency).every((url) => typeof url === "string"));
  if (!valid) throw new Error(`${path} is not a routing table ({ subgraph: { agencyCode: url } }); fix or delete it`);
  return shards as Shards;
}

/**
 * A routing file as registry rows. The file replaced the topology's shards of
 * each subgraph it named: an agency at another URL is a move, an agency of the
 * topology missing from it a removal. A file naming another subgraph or an
 * agency outside schema/agencies.json stops the start rather than routing by a guess.
 */
export function routesFromFile(topology: Shards, persisted: Shards, path: string): Route[] {
  const problems = Object.entries(persisted).flatMap(([subgraph, byAgency]) => [
    ...(subgraph in topology ? [] : [`"${subgraph}" is not an agency subgraph of the topology (${Object.keys(topology).join(", ")})`]),
    ...Object.keys(byAgency)
      .filter((code) => !isAgencyCode(code))
      .map((code) => `${subgraph}: "${code}" is not an agency of schema/agencies.json`),
  ]);
  if (problems.length > 0) throw new Error(`The routing file ${path} does not fit this gateway: ${problems.join("; ")}. Fix or delete it.`);
  return Object.entries(persisted).flatMap(([subgraph, byAgency]) => [
    ...Object.entries(byAgency)
      .filter(([code, url]) => topology[subgraph][code] !== url)
      .map(([agencyCode, url]) => ({ subgraph, agencyCode, url })),
    ...Object.keys(topology[subgraph])
      .filter((code) => !(code in byAgency))
      .map((agencyCode) => ({ subgraph, agencyCode, url: null })),
  ]);
}

class RegistryMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence shard_route_version;`);
    this.addSql(`
      create table shard_route (
        subgraph text not null,
        agency_code text not null,
        url text,
        version bigint not null,
        changed_by text not null,
        changed_at timestamptz not null default now(),
        primary key (subgraph, agency_code)
      );`);
    this.addSql(`comment on column shard_route.url is 'the shard''s GraphQL URL; null: removed (the topology''s shard is not routed to)';`);
    this.addSql(`
      create function notify_routing() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${ROUTING_CHANNEL}', '');
        return null;
      end $$;`);
    this.addSql(`create trigger shard_route_changed after insert or update or delete on shard_route for each statement execute function notify_routing();`);
    this.addSql(`create table routing_file_import (path text not null, routes integer not null, imported_at timestamptz not null default now());`);
  }
}

export interface RoutingStoreOptions {
  /** The gateway's database (created by the caller). */
  url: string;
  topology: Shards;
  /** The table this replica routes by, kept equal to the shared one. */
  routing: RoutingTable;
  /** A routing file of earlier versions, imported once when present. */
  routingFile?: string;
  log: Logger;
  /** After a change from the shared table was applied (e.g. to probe shards admitted by another replica). */
  onApplied?(): void;
}

export class RoutingStore {
  private listener?: Listener;
  /** A read of the table waiting to start: every refresh asked for meanwhile is served by it. */
  private queued?: Promise<void>;
  private last: Promise<void> = Promise.resolve();

  private constructor(
    private readonly orm: MikroORM,
    private readonly options: RoutingStoreOptions,
  ) {}

  /** Migrates the gateway's database, imports a routing file once, listens, and applies the shared table before resolving. */
  static async open(options: RoutingStoreOptions): Promise<RoutingStore> {
    const orm = await MikroORM.init({
      driver: PostgreSqlDriver,
      clientUrl: options.url,
      entities: [],
      discovery: { warnWhenNoEntities: false, disableDynamicFileAccess: true },
      extensions: [Migrator],
      migrations: {
        tableName: "schema_migration",
        migrationsList: [{ name: "0001_shard_route", class: RegistryMigration }] as never,
        transactional: true,
        allOrNothing: true,
        silent: true,
      },
      pool: { min: 0, max: 2 },
      driverOptions: {
        connection: { statement_timeout: config.statementTimeoutMs },
        // A pooled connection lost with the database is knex's to replace; its notices go to the log, not the console.
        log: { warn: (message: unknown) => options.log.debug({ knex: message }), error: (message: unknown) => options.log.warn({ knex: message }, "database connection error") },
      },
      allowGlobalContext: false,
      ensureDatabase: false,
      logger: (message) => options.log.debug({ orm: true }, message),
    });
    const store = new RoutingStore(orm, options);
    try {
      await orm.getMigrator().up();
      if (options.routingFile) await store.importOnce(options.routingFile);
      store.listener = await listenTo({
        url: options.url,
        channel: ROUTING_CHANNEL,
        onNotification: () => void store.refresh(),
        // Also after a reconnection: whatever was notified while the connection was down is in the table.
        onConnected: () => void store.refresh(),
        log: options.log,
      });
      await store.refresh();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  private connection() {
    return this.orm.em.fork().getConnection();
  }

  private async importOnce(path: string): Promise<void> {
    const persisted = loadRoutingFile(path);
    if (!persisted) return;
    const routes = routesFromFile(this.options.topology, persisted, path);
    const imported = await this.orm.em.fork().transactional(async (tx) => {
      const context = tx.getTransactionContext();
      const run = (sql: string, values: unknown[] = []) => tx.getConnection().execute<Record<string, unknown>[]>(sql, values, "all", context);
      // Two replicas starting at once: the second waits here, then finds the import done.
      await run("lock table routing_file_import in exclusive mode");
      const [earlier] = await run("select path, imported_at from routing_file_import");
      if (earlier) return earlier;
      for (const { subgraph, agencyCode, url } of routes) {
        await run(
          `insert into shard_route (subgraph, agency_code, url, version, changed_by) values (?, ?, ?, nextval('shard_route_version'), 'routing-file')
           on conflict do nothing`,
          [subgraph, agencyCode, url],
        );
      }
      await run("insert into routing_file_import (path, routes) values (?, ?)", [path, routes.length]);
      return undefined;
    });
    if (imported) this.options.log.warn({ file: path, importedAt: imported.imported_at }, "the routing file was imported into the gateway's database before and is no longer read; delete it");
    else this.options.log.info({ file: path, routes: routes.length }, "routing file imported into the gateway's database; it is no longer read, delete it");
  }

  /** The version of an agency's row, or null when the registry has none (the topology's shard, or no shard). */
  async versionOf(subgraph: string, agencyCode: string): Promise<string | null> {
    const [row] = await this.connection().execute<{ version: string }[]>("select version::text as version from shard_route where subgraph = ? and agency_code = ?", [
      subgraph,
      agencyCode,
    ]);
    return row?.version ?? null;
  }

  /**
   * Records an agency's shard at `url` (null: removed) if its row is still at
   * version `expected`; false when another change came first and nothing was written.
   */
  async change(route: Route, expected: string | null, changedBy: string): Promise<boolean> {
    const { subgraph, agencyCode, url } = route;
    const rows =
      expected === null
        ? await this.connection().execute<unknown[]>(
            `insert into shard_route (subgraph, agency_code, url, version, changed_by) values (?, ?, ?, nextval('shard_route_version'), ?)
             on conflict do nothing returning version`,
            [subgraph, agencyCode, url, changedBy],
          )
        : await this.connection().execute<unknown[]>(
            `update shard_route set url = ?, version = nextval('shard_route_version'), changed_by = ?, changed_at = now()
             where subgraph = ? and agency_code = ? and version = ? returning version`,
            [url, changedBy, subgraph, agencyCode, expected],
          );
    return rows.length === 1;
  }

  /** Reads the shared table and applies it; resolves once a read that started after this call is applied (never rejects). */
  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.last.then(async () => {
      this.queued = undefined;
      try {
        await this.apply();
      } catch (error) {
        // The next notification, or the LISTEN connection's return, reads it again.
        this.options.log.warn({ err: error }, "could not read the shared routing table; routing by the last one read");
      }
    });
    this.queued = next;
    this.last = next;
    return next;
  }

  private async apply(): Promise<void> {
    const { routing, topology, log, onApplied } = this.options;
    const rows = await this.connection().execute<{ subgraph: string; agency_code: string; url: string | null }[]>(
      "select subgraph, agency_code, url from shard_route order by version",
    );
    const before = routing.toJSON();
    const after = routedShards(topology, rows.map((row) => ({ subgraph: row.subgraph, agencyCode: row.agency_code, url: row.url })));
    const changes = Object.keys(after).flatMap((subgraph) =>
      [...new Set([...Object.keys(before[subgraph] ?? {}), ...Object.keys(after[subgraph])])]
        .filter((code) => before[subgraph]?.[code] !== after[subgraph][code])
        .map((code) => ({ shard: `${subgraph}:${code}`, url: after[subgraph][code] ?? null })),
    );
    if (changes.length === 0) return;
    routing.replace(after);
    log.info({ changes }, "routing table changed (from the gateway's database)");
    onApplied?.();
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.last;
    await this.orm.close(true);
  }
}
