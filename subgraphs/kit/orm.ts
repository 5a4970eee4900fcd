/**
 * One MikroORM instance per subgraph instance, on that instance's own
 * database. Schema changes come only from migrations, never from schema sync.
 */
import { MikroORM, PostgreSqlDriver, ReflectMetadataProvider, type Options } from "@mikro-orm/postgresql";
import { Migrator, type Migration } from "@mikro-orm/migrations";
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
      migrationsList: migrations as never,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: { min: 0, max: poolSize },
    // A request the gateway gave up on must not keep holding a pool connection: PostgreSQL cancels long statements.
    driverOptions: { connection: { statement_timeout: config.statementTimeoutMs } },
    // Entities are always used through a request-scoped fork.
    allowGlobalContext: false,
    ensureDatabase: false,
    logger: (message) => log.debug({ orm: true }, message),
  });
  return orm;
}

/** Applies pending migrations; returns their names, and whether the database had none applied before. */
export async function migrate(orm: MikroORM): Promise<{ applied: string[]; wasEmpty: boolean }> {
  const migrator = orm.getMigrator();
  const executed = await migrator.getExecutedMigrations();
  const applied = await migrator.up();
  return { applied: applied.map((m) => m.name), wasEmpty: executed.length === 0 };
}
