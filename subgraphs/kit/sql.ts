/**
 * Statements written as SQL, run on an EntityManager's connection (inside its
 * transaction when it has one), so the pool, the statement timeout, and the
 * statement metrics and traces (observability.ts) are the ORM's own.
 *
 * Read paths assemble their statements from fragments: `sql` is a tagged
 * template that keeps every value apart from the text until MikroORM's
 * platform quotes it into the statement (as the query builder's statements
 * are sent: one simple-protocol message), and nests fragments, so a
 * condition written once (a listing's filter) serves both its page and its
 * count. Why not MikroORM's query builder there: building a keyset page's
 * statement cost it more CPU than running it (connection.ts). Why not
 * sql-template-tag, which does the same: it ships as an ES module only, and
 * this project runs, and is tested, as CommonJS.
 */
import { ReferenceKind, wrap, type EntityManager } from "@mikro-orm/postgresql";

/** A piece of SQL and its values, one per `?` placeholder (a literal question mark is written `\\?`; an array is a comma-separated list). */
export class SqlFragment {
  constructor(
    readonly text: string,
    readonly values: readonly unknown[],
  ) {}
}

/** sql`agency_code = ${code} and ${otherFragment}`: a value stands at a `?`, a fragment is inlined with its values. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  let text = strings[0];
  const parameters: unknown[] = [];
  values.forEach((value, i) => {
    if (value instanceof SqlFragment) {
      text += value.text;
      parameters.push(...value.values);
    } else {
      text += "?";
      parameters.push(value);
    }
    text += strings[i + 1];
  });
  return new SqlFragment(text, parameters);
}

export function joinSql(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  return new SqlFragment(
    fragments.map((fragment) => fragment.text).join(separator),
    fragments.flatMap((fragment) => fragment.values),
  );
}

/** `expression in (…values)`; false for no values (SQL has no empty list). */
export function isIn(expression: SqlFragment, values: readonly unknown[]): SqlFragment {
  return values.length === 0 ? sql`false` : sql`${expression} in (${values})`;
}

/** A table or column name as SQL text, quoted, its own quotes doubled. */
export const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A table or column name, quoted; from the schema (entity metadata), never from a request. */
export function identifier(name: string): SqlFragment {
  return new SqlFragment(quoted(name), []);
}

/**
 * Runs SQL with `?` placeholders on the EntityManager's transaction when it has one (MikroORM's execute otherwise
 * takes a pool connection). Its failures are the ORM's exceptions, as a flush's are (a unique violation is a
 * UniqueConstraintViolationException: a CONFLICT to the client, kit/server.ts).
 */
export type Sql = <T = Record<string, unknown>[]>(text: string, params?: unknown[]) => Promise<T>;
export const sqlOf =
  (em: EntityManager): Sql =>
  async (text, params = []) => {
    try {
      return (await em.getConnection().execute(text, params as never[], "all", em.getTransactionContext())) as never;
    } catch (error) {
      throw em.getDriver().convertException(error as Error);
    }
  };

/** The rows a fragment selects, as the ORM's driver returns them (column names; dates and times as text). */
export function selectRows<T = Record<string, unknown>>(em: EntityManager, statement: SqlFragment): Promise<T[]> {
  return sqlOf(em)<T[]>(statement.text, [...statement.values]);
}

/**
 * `insert into <the entity's table> (<its columns>) select <its values> from <source>`: an entity written as one
 * part of a statement that writes several (data-modifying CTEs), one row if `source` has one, none if it has none.
 * Columns and values are read from the ORM's metadata as its flush would write them: every persisted column of the
 * entity and the keys of what it refers to; an autoincrement key left unset is left to the database.
 */
export function insertFrom(em: EntityManager, entity: object, source: string): SqlFragment {
  const meta = em.getMetadata().find(entity.constructor.name)!;
  const platform = em.getPlatform();
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const prop of meta.props) {
    if (prop.persist === false || (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE)) continue;
    let value = (entity as Record<string, unknown>)[prop.name];
    if (value === undefined && prop.autoincrement) continue;
    if (prop.kind === ReferenceKind.MANY_TO_ONE) value = value == null ? null : wrap(value as object, true).getPrimaryKey();
    else if (prop.customType && value != null) value = prop.customType.convertToDatabaseValue(value, platform, { mode: "query" });
    columns.push(quoted(prop.fieldNames[0]));
    values.push(value ?? null);
  }
  return new SqlFragment(
    `insert into ${quoted(meta.tableName)} (${columns.join(", ")}) select ${values.map(() => "?").join(", ")} from ${quoted(source)}`,
    values,
  );
}
