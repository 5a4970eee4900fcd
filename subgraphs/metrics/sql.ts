/** SQL for the projection's set-based statements. */
import type { EntityManager } from "@mikro-orm/postgresql";

/** Runs SQL on the EntityManager's transaction when it has one (MikroORM's execute otherwise takes a fresh pool connection). */
export type Sql = <T = Record<string, unknown>[]>(text: string, params?: unknown[]) => Promise<T>;
export const sqlOf = (em: EntityManager): Sql => (text, params = []) => em.getConnection().execute(text, params as never[], "all", em.getTransactionContext()) as never;
