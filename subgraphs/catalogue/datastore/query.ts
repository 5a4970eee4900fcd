/**
 * A page of a loaded resource's rows as one SQL statement: filters on any
 * column (values checked against its type), an order on one column (empty
 * values as the largest: last going up, first going down) with the row's
 * place in the file as the tie-breaker, and a keyset cursor over both, so
 * every page is an index range, however deep.
 */
import { decodeCursor, encodeCursor, type Direction, type KeyValue } from "../../../contract/cursor";
import { badUserInput, type FieldProblem } from "../../../contract/errors";
import { quoted } from "../../kit/sql";
import { ColumnType, ROW_COLUMN, sqlTypeOf, tableOf, TYPES, type DatastoreColumn } from "./load";

export const FilterOperator = { EQ: "EQ", NE: "NE", LT: "LT", LTE: "LTE", GT: "GT", GTE: "GTE", CONTAINS: "CONTAINS" } as const;
export type FilterOperator = (typeof FilterOperator)[keyof typeof FilterOperator];
const COMPARISON: Record<Exclude<FilterOperator, "CONTAINS">, string> = { EQ: "=", NE: "<>", LT: "<", LTE: "<=", GT: ">", GTE: ">=" };

export interface RowFilter {
  column: string;
  operator: FilterOperator;
  value: string;
}

export interface RowPageRequest {
  filters: readonly RowFilter[];
  orderBy?: { column: string; direction: Direction };
  first: number;
  after?: string;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** How a column's values come out: numbers as JSON numbers, days as YYYY-MM-DD, text as is. */
function output(column: DatastoreColumn): string {
  if (column.type === ColumnType.INTEGER || column.type === ColumnType.DECIMAL) return `${column.column}::float8`;
  if (column.type === ColumnType.DATE) return `${column.column}::text`;
  return column.column;
}

/** The statements of one page: its rows (one more than asked, to know if another page follows) and the count of every match. */
export function rowPageStatements(resourceId: string, columns: readonly DatastoreColumn[], request: RowPageRequest): { page: Statement; count: Statement; order: string } {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const problems: FieldProblem[] = [];
  const values: unknown[] = [];
  const parameter = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const conditions = request.filters.flatMap((filter, index) => {
    const column = byName.get(filter.column);
    if (!column) {
      problems.push({ path: `filter.${index}.column`, reason: `is not a column of this resource (${columns.map((c) => c.name).join(", ")})` });
      return [];
    }
    if (filter.operator === FilterOperator.CONTAINS) return [`${column.column}::text ilike ${parameter(`%${filter.value.replace(/[\\%_]/g, "\\$&")}%`, "text")}`];
    const pattern = TYPES.find((t) => t.type === column.type)?.pattern;
    if (pattern && !new RegExp(pattern).test(filter.value)) {
      problems.push({ path: `filter.${index}.value`, reason: `is not a value of ${column.name}'s type ${column.type}` });
      return [];
    }
    return [`${column.column} ${COMPARISON[filter.operator]} ${parameter(filter.value, sqlTypeOf(column.type))}`];
  });
  const orderColumn = request.orderBy ? byName.get(request.orderBy.column) : undefined;
  if (request.orderBy && !orderColumn) problems.push({ path: "orderBy.column", reason: "is not a column of this resource" });
  if (problems.length > 0) throw badUserInput(problems);
  const table = quoted(tableOf(resourceId));
  const countText = `select count(*)::int as count from ${table}${conditions.length ? ` where ${conditions.join(" and ")}` : ""}`;
  const count = { text: countText, values: [...values] };

  const direction = request.orderBy?.direction ?? "asc";
  const order = orderColumn ? `${orderColumn.name}:${direction}` : "FILE_ORDER";
  const beyond = direction === "asc" ? ">" : "<";
  if (request.after) {
    const { values: [value, row] } = decodeCursor(request.after, order);
    const rowAfter = `${ROW_COLUMN} ${beyond} ${parameter(row, "bigint")}`;
    if (!orderColumn) conditions.push(rowAfter);
    else {
      // Empty values sort as the largest (PostgreSQL's own rule): last going up, first going down.
      const column = orderColumn.column;
      const at = value === null ? null : parameter(value, sqlTypeOf(orderColumn.type));
      if (direction === "asc") conditions.push(at === null ? `(${column} is null and ${rowAfter})` : `(${column} > ${at} or (${column} = ${at} and ${rowAfter}) or ${column} is null)`);
      else conditions.push(at === null ? `((${column} is null and ${rowAfter}) or ${column} is not null)` : `(${column} < ${at} or (${column} = ${at} and ${rowAfter}))`);
    }
  }
  // The column's index with the row number, read forwards or backwards: a page is one index range, whatever its depth.
  // Qualified: a bare name would order by the output column of that name, its cast to text or float8, which no index holds.
  const orderBy = orderColumn ? `${table}.${orderColumn.column} ${direction}, ${table}.${ROW_COLUMN} ${direction}` : `${table}.${ROW_COLUMN} asc`;
  const selected = [`${ROW_COLUMN}::float8 as "${ROW_COLUMN}"`, ...columns.map((column) => `${output(column)} as ${column.column}`)];
  const page = {
    text: `select ${selected.join(", ")} from ${table}${conditions.length ? ` where ${conditions.join(" and ")}` : ""} order by ${orderBy} limit ${parameter(request.first + 1, "int")}`,
    values,
  };
  return { page, count, order };
}

/** The statement with "?" placeholders (as the ORM's connection takes them), its values in order of appearance. */
export function positional(statement: Statement): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = statement.text.replace(/\$(\d+)/g, (_, n: string) => {
    values.push(statement.values[Number(n) - 1]);
    return "?";
  });
  return { text, values };
}

export interface RowEdge {
  cursor: string;
  node: Record<string, KeyValue | null>;
}

/** The cursor of a row's place in the order (`order` as rowPageStatements names it): what `after` takes to go on from it. */
export function rowCursor(columns: readonly DatastoreColumn[], row: Record<string, KeyValue | null>, order: string, orderColumn?: string): string {
  const key = columns.find((column) => column.name === orderColumn);
  return encodeCursor({ order, values: key ? [row[key.column], row[ROW_COLUMN]] as KeyValue[] : [null as never, row[ROW_COLUMN]!], directions: ["asc", "asc"] });
}

/** The page's edges: each row under its file's column names, with the cursor of its place in the order. */
export function rowEdges(columns: readonly DatastoreColumn[], rows: Record<string, KeyValue | null>[], order: string, orderColumn?: string): RowEdge[] {
  return rows.map((row) => ({
    cursor: rowCursor(columns, row, order, orderColumn),
    node: Object.fromEntries(columns.map((column) => [column.name, row[column.column]])),
  }));
}
