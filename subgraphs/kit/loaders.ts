/**
 * DataLoaders are created per request (never shared between viewers), so a
 * cached row cannot leak across requests and every batch is one SQL statement.
 */
import DataLoader from "dataloader";
import type { EntityManager, EntityName, FilterQuery } from "@mikro-orm/postgresql";

/** Loads rows by one column; answers in the order of the keys, null where a key has no row. */
export function rowsByKey<T extends object, K extends string>(
  em: EntityManager,
  entity: EntityName<T>,
  column: keyof T & string,
): DataLoader<K, T | null> {
  return new DataLoader<K, T | null>(async (keys) => {
    const rows = await em.find(entity, { [column]: { $in: [...keys] } } as FilterQuery<T>);
    const byKey = new Map(rows.map((row) => [String(row[column as keyof T]), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * Loads the rows that belong to each key (one-to-many); answers an empty list
 * where there are none. `keyOf` reads the key back from a row (for a relation
 * column, the related entity's id).
 */
export function rowsGroupedBy<T extends object, K extends string>(
  em: EntityManager,
  entity: EntityName<T>,
  column: keyof T & string,
  orderBy: Partial<Record<keyof T & string, "asc" | "desc">> = {},
  keyOf: (row: T) => string = (row) => String(row[column]),
): DataLoader<K, T[]> {
  return new DataLoader<K, T[]>(async (keys) => {
    const rows = await em.find(entity, { [column]: { $in: [...keys] } } as FilterQuery<T>, { orderBy: orderBy as never });
    const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key)!);
  });
}
