/**
 * One MikroORM instance per subgraph instance, on that instance's own
 * database. Schema changes come only from migrations, never from schema sync.
 */
import { MikroORM, PostgreSqlDriver, ReflectMetadataProvider, type EntityManager, type Options } from "@mikro-orm/postgresql";
import { Migration, Migrator } from "@mikro-orm/migrations";
import { config } from "../../contract/config";
import type { Logger } from "../../contract/logger";

export interface NamedMigration {
  name: string;
  class: new (...args: never[]) => Migration;
}

export interface OrmOptions {
  url: string;
  entities: Options["entities"];
  migrations: NamedMigration[];
  log: Logger;
  poolSize?: number;
}

/**
 * Whether the database was seeded, kept in the database: seeding and this
 * marker commit in one transaction, so a start that failed while seeding
 * seeds again the next time. Every subgraph's first migration.
 */
class SeedMarker extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table seed_state (seeded boolean not null);`);
    // A database migrated before the marker existed was seeded then (or holds imported data): never seed it again.
    this.addSql(`insert into seed_state (seeded) select exists (select 1 from schema_migration);`);
  }
}

export async function openOrm({ url, entities, migrations, log, poolSize = config.databasePoolSize }: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    metadataProvider: ReflectMetadataProvider,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      tableName: "schema_migration",
      migrationsList: [{ name: "0000_seed_marker", class: SeedMarker }, ...migrations] as never,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: { min: 0, max: poolSize },
    driverOptions: {
      // A request the gateway gave up on must not keep holding a pool connection: PostgreSQL cancels long statements.
      connection: { statement_timeout: config.statementTimeoutMs },
      // knex's own notices ("Connection Error: …" when PostgreSQL goes away) go to the instance's log as JSON, not to stderr as bare text.
      log: {
        warn: (message: unknown) => log.warn({ knex: true }, String(message)),
        error: (message: unknown) => log.error({ knex: true }, String(message)),
        deprecate: (method: string, alternative: string) => log.warn({ knex: true }, `${method} is deprecated; use ${alternative}`),
        debug: (message: unknown) => log.debug({ knex: true }, String(message)),
      },
    },
    // Entities are always used through a request-scoped fork.
    allowGlobalContext: false,
    ensureDatabase: false,
    logger: (message) => log.debug({ orm: true }, message),
  });
  return orm;
}

/** Applies pending migrations; returns their names. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/**
 * Seeds the database with `seed` unless a seed completed before, in one
 * transaction with the marker; true when it seeded. Without `seed` it only
 * marks the database as holding its own data (an imported list), never to
 * be seeded.
 */
export async function seedOnce(orm: MikroORM, seed?: (em: EntityManager) => Promise<void>): Promise<boolean> {
  return orm.em.fork().transactional(async (tx) => {
    const context = tx.getTransactionContext();
    const [state] = await tx.getConnection().execute<{ seeded: boolean }[]>("select seeded from seed_state for update", [], "all", context);
    if (state.seeded) return false;
    if (seed) await seed(tx);
    await tx.getConnection().execute("update seed_state set seeded = true", [], "run", context);
    return Boolean(seed);
  });
}
