/**
 * Downloading a loaded resource's rows, whole or a filtered slice, as CSV or
 * JSON: CKAN DataStore's dump (GET /datastore/dump/<resource id>) with its
 * parameters, so tools written for CKAN portals work unchanged:
 *
 * - `format`: csv (default) or json ({"fields": [{"id", "type"}], "records": [[…]]});
 * - `filters`: a JSON object of column → value, rows equal to every one;
 * - `sort`: "column" or "column desc";
 * - `limit`: at most this many rows; `bom`: true puts a UTF-8 byte order mark
 *   first (Excel in Taiwan then reads the CSV as UTF-8, not Big5).
 *
 * Rows are read page by page with the keyset statement of Resource.rows
 * (query.ts), so a download of any size streams in the memory of one page,
 * and it honours the client's pace. A download counts as one use of the
 * dataset. Only what its viewer may see is served: a dataset not visible is NOT_FOUND.
 */
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { EntityManager } from "@mikro-orm/postgresql";
import { stringify } from "csv-stringify/sync";
import type { Viewer } from "../../../contract/claims";
import { badUserInput, notFound, type FieldProblem } from "../../../contract/errors";
import { isVisible } from "../domain";
import { Dataset } from "../entities";
import { Datastore } from "./entities";
import { ColumnType, type DatastoreColumn } from "./load";
import { FilterOperator, positional, rowCursor, rowPageStatements, type RowFilter, type RowPageRequest } from "./query";
import { countRequest } from "./usage";

export const DumpFormat = { CSV: "csv", JSON: "json" } as const;
export type DumpFormat = (typeof DumpFormat)[keyof typeof DumpFormat];

export interface DumpRequest {
  format: DumpFormat;
  filters: RowFilter[];
  orderBy?: RowPageRequest["orderBy"];
  limit: number | null;
  bom: boolean;
}

/** Rows read per statement. */
const PAGE_SIZE = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The dump's parameters from a query string; BAD_USER_INPUT naming each one that cannot be read. */
export function readDumpRequest(params: URLSearchParams): DumpRequest {
  const problems: FieldProblem[] = [];
  const format = (params.get("format") ?? DumpFormat.CSV).toLowerCase();
  if (format !== DumpFormat.CSV && format !== DumpFormat.JSON) problems.push({ path: "format", reason: "must be csv or json" });
  let filters: RowFilter[] = [];
  const filterText = params.get("filters");
  if (filterText) {
    try {
      const parsed = JSON.parse(filterText) as unknown;
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      filters = Object.entries(parsed as Record<string, unknown>).map(([column, value]) => {
        if (value === null || typeof value === "object") problems.push({ path: `filters.${column}`, reason: "must be one value (a string or a number)" });
        return { column, operator: FilterOperator.EQ, value: String(value) };
      });
    } catch {
      problems.push({ path: "filters", reason: 'must be a JSON object of column and value, e.g. {"機關":"臺北監獄"}' });
    }
  }
  let orderBy: DumpRequest["orderBy"];
  const sort = params.get("sort")?.trim();
  if (sort) {
    const match = /^(.+?)(?:\s+(asc|desc))?$/i.exec(sort)!;
    orderBy = { column: match[1], direction: (match[2]?.toLowerCase() ?? "asc") as "asc" | "desc" };
  }
  const limitText = params.get("limit");
  const limit = limitText === null ? null : Number(limitText);
  if (limit !== null && !(Number.isInteger(limit) && limit >= 0)) problems.push({ path: "limit", reason: "must be a whole number of rows, 0 or more" });
  if (problems.length > 0) throw badUserInput(problems);
  return { format: format as DumpFormat, filters, orderBy, limit, bom: params.get("bom")?.toLowerCase() === "true" };
}

/** CKAN's names of the datastore's column types. */
const CKAN_TYPE: Record<ColumnType, string> = { INTEGER: "int", DECIMAL: "numeric", DATE: "date", TEXT: "text" };

/** The datastore of a resource this viewer may download, or NOT_FOUND (also for a dataset the viewer may not see). */
export async function downloadableDatastore(em: EntityManager, viewer: Viewer, resourceId: string): Promise<Datastore> {
  const datastore = UUID.test(resourceId) ? await em.findOne(Datastore, { resourceId, loadedAt: { $ne: null } }) : null;
  const dataset = datastore ? await em.findOne(Dataset, { id: datastore.datasetId }, { fields: ["agencyCode", "lifecycleState"] }) : null;
  if (!datastore || !dataset || !isVisible(viewer, dataset)) throw notFound(`A loaded resource ${resourceId}`);
  return datastore;
}

/** Writes, waiting when the client reads slower than the rows come; false once the client has gone. */
async function send(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(text)) await Promise.race([once(res, "drain"), once(res, "close")]);
  return !res.destroyed;
}

/** Streams the slice to `res` (headers included), `pageSize` rows per statement; the request is checked before anything is written. */
export async function writeDump(em: EntityManager, datastore: Datastore, request: DumpRequest, res: ServerResponse, pageSize = PAGE_SIZE): Promise<void> {
  const columns: readonly DatastoreColumn[] = datastore.columns;
  const slice = (first: number, after?: string) => rowPageStatements(datastore.resourceId, columns, { filters: request.filters, orderBy: request.orderBy, first, after });
  // Checks the filters and the order (BAD_USER_INPUT) before the status line is sent.
  const { order } = slice(pageSize);
  await countRequest(em, datastore);
  const csv = request.format === DumpFormat.CSV;
  res.writeHead(200, {
    "content-type": csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    "content-disposition": `attachment; filename="${datastore.resourceId}.${request.format}"`,
    "cache-control": "no-store",
  });
  const head = csv ? stringify([columns.map((column) => column.name)]) : `{"fields":${JSON.stringify(columns.map((column) => ({ id: column.name, type: CKAN_TYPE[column.type] })))},"records":[`;
  if (!(await send(res, (request.bom ? "\uFEFF" : "") + head))) return;
  const connection = em.getConnection();
  let remaining = request.limit ?? Number.POSITIVE_INFINITY;
  let after: string | undefined;
  let written = 0;
  while (remaining > 0) {
    const want = Math.min(pageSize, remaining);
    const { text, values } = positional(slice(want, after).page);
    const rows = await connection.execute<Record<string, string | number | null>[]>(text, values);
    const page = rows.slice(0, want).map((row) => columns.map((column) => row[column.column]));
    if (page.length > 0) {
      const body = csv ? stringify(page) : (written > 0 ? "," : "") + page.map((record) => JSON.stringify(record)).join(",");
      if (!(await send(res, body))) return;
      written += page.length;
    }
    remaining -= page.length;
    if (rows.length <= want) break;
    after = rowCursor(columns, rows[want - 1], order, request.orderBy?.column);
  }
  if (!csv) await send(res, "]}");
  res.end();
}
