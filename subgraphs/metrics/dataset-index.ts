/**
 * The ministry-wide index of datasets: one row per dataset of every agency,
 * fed by the catalogue shards' events (the projection's followers apply them
 * in the same transaction as the shard's position, store.ts), so listing and
 * searching all agencies is one query on one table whatever the number of
 * shards. It answers `datasetIndex` with the arguments, orders, visibility
 * and cursors' keys of the catalogue's merged `datasets` (kit/datasets.ts),
 * and the same search (kit/dataset-search.ts).
 *
 * Which to ask: `datasets` is the shards' own answer (exact as of the
 * request, partial when a shard is down, one call per shard named); use it
 * for one agency or a few, right after a write that must be seen, and to
 * reconcile the index. `datasetIndex` is one query whatever the number of
 * shards, behind each shard by the time its events take to arrive (README:
 * the index's lag); use it for ministry-wide lists and search.
 */
import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { Viewer } from "../../contract/claims";
import { ConnectionType, keysetPage, type Connection } from "../kit/connection";
import { searchFilter } from "../kit/dataset-search";
import { DatasetListArgs, datasetOrders, LifecycleState, visibleStates } from "../kit/datasets";
import type { MetricsContext } from "./context";
import { IndexedDataset } from "./entities";
import { fold, type ShardEvent } from "./projection";
import { isIn, joinSql, sql, type Sql, type SqlFragment } from "../kit/sql";
import { assertAgencyCodes } from "../kit/validation";
import { canonicalFormat } from "../kit/vocabulary";

/** What the index keeps of one dataset. */
export type IndexEntry = Omit<IndexedDataset, "agencyCode" | "id" | "modified"> & { modified: string };

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const strings = (value: unknown): string[] | null => (Array.isArray(value) ? value.map(String) : null);

/**
 * The entry after a catalogue event; undefined when the event says nothing the index keeps. A lifecycle event
 * carries the dataset's listing fields after its write (catalogue/writes.ts); one written before they travelled
 * (no title) cannot make an entry, and `metrics:reconcile` names the agency whose index falls short.
 */
export function nextIndexEntry(entry: IndexEntry | null, event: Pick<ShardEvent, "type" | "payload">): IndexEntry | undefined {
  const { payload } = event;
  switch (event.type) {
    case "DatasetPublished":
    case "DatasetUpdated":
    case "DatasetRetired": {
      const title = text(payload.title);
      if (title === null) return undefined;
      return {
        identifier: String(payload.identifier),
        title,
        description: String(payload.description ?? ""),
        category: String(payload.category ?? ""),
        keywords: strings(payload.keywords) ?? [],
        formats: strings(payload.formats) ?? entry?.formats ?? [],
        issued: String(payload.issued),
        modified: new Date(String(payload.modified)).toISOString(),
        lifecycleState: payload.lifecycleState === LifecycleState.RETIRED ? LifecycleState.RETIRED : LifecycleState.PUBLISHED,
        retiredOn: text(payload.retiredOn),
        badge: entry?.badge ?? null,
      };
    }
    case "QualityChecked":
      return entry ? { ...entry, badge: text(payload.level) } : undefined;
    default:
      return undefined;
  }
}

/** Applies one shard's events to its datasets' entries (inside the caller's transaction). */
export async function applyToIndex(connection: Sql, agencyCode: string, events: readonly ShardEvent[]): Promise<void> {
  const relevant = events.filter((event) => ["DatasetPublished", "DatasetUpdated", "DatasetRetired", "QualityChecked"].includes(event.type));
  if (relevant.length === 0) return;
  const rows = await connection<(IndexEntry & { id: string })[]>(
    `select id, identifier, title, description, category, keywords, formats, issued::text as issued, modified,
            lifecycle_state as "lifecycleState", retired_on::text as "retiredOn", badge
     from dataset_index where agency_code = ? and id in (select jsonb_array_elements_text(?::jsonb))`,
    [agencyCode, JSON.stringify([...new Set(relevant.map((event) => event.subjectId))])],
  );
  const stored = new Map(rows.map(({ id, ...entry }) => [id, { ...entry, modified: new Date(entry.modified).toISOString() }]));
  const { changed } = fold<IndexEntry>(stored, relevant, nextIndexEntry);
  if (changed.size === 0) return;
  await connection(
    `insert into dataset_index (agency_code, id, identifier, title, description, category, keywords, formats, issued, modified, lifecycle_state, retired_on, badge)
     select ?, x.id, x.identifier, x.title, x.description, x.category, x.keywords, x.formats, x.issued, x.modified, x."lifecycleState", x."retiredOn", x.badge
     from jsonb_to_recordset(?::jsonb) as x(id text, identifier text, title text, description text, category text, keywords jsonb, formats jsonb,
                                             issued date, modified timestamptz, "lifecycleState" text, "retiredOn" date, badge text)
     on conflict (agency_code, id) do update set identifier = excluded.identifier, title = excluded.title, description = excluded.description,
       category = excluded.category, keywords = excluded.keywords, formats = excluded.formats, issued = excluded.issued, modified = excluded.modified,
       lifecycle_state = excluded.lifecycle_state, retired_on = excluded.retired_on, badge = excluded.badge`,
    [agencyCode, JSON.stringify([...changed].map(([id, { after }]) => ({ id, ...after })))],
  );
}

/** An agency code no viewer belongs to: what `visibleStates` gives for it is what the viewer sees of other agencies. */
const ANOTHER_AGENCY = "";

/** The catalogue's visibility rule (kit/datasets.ts) over every agency at once. */
function visibleToViewer(viewer: Viewer): SqlFragment {
  const elsewhere = visibleStates(viewer, ANOTHER_AGENCY);
  if (!elsewhere) return sql`true`;
  const own = viewer.agencyCode && !visibleStates(viewer, viewer.agencyCode) ? sql` or agency_code = ${viewer.agencyCode}` : sql``;
  return sql`(${isIn(sql`lifecycle_state`, elsewhere)}${own})`;
}

function indexFilter(viewer: Viewer, { agencyCodes, state, search, category, format, badge }: DatasetListArgs): SqlFragment {
  const filters = [visibleToViewer(viewer)];
  if (agencyCodes) filters.push(isIn(sql`agency_code`, agencyCodes));
  if (state) filters.push(sql`lifecycle_state = ${state}`);
  if (search?.trim()) filters.push(searchFilter(search));
  if (category) filters.push(sql`category = ${category}`);
  if (format) filters.push(sql`formats @> ${JSON.stringify([canonicalFormat(format)])}::jsonb`);
  if (badge) filters.push(sql`badge = ${badge}`);
  return joinSql(filters, " and ");
}

const INDEX_ORDERS = datasetOrders<IndexedDataset>([{ property: "agencyCode", direction: "asc" }]);

const DatasetIndexConnection = ConnectionType(IndexedDataset, "DatasetIndex");

@Resolver(() => IndexedDataset)
export class DatasetIndexResolver {
  @Query(() => DatasetIndexConnection, {
    description:
      "Every agency's datasets (or those named) from the ministry's index: one query whatever the number of shards, the same items and order as `datasets`, " +
      "behind each shard by the time its events take to reach the index. For one agency or a few, or to see a write at once, ask `datasets`.",
  })
  datasetIndex(@Args() args: DatasetListArgs, @Ctx() { em, viewer }: MetricsContext): Promise<Connection<IndexedDataset>> {
    // The shards' `datasets` names an agency without a shard (the gateway's router); the index, one not in the directory.
    assertAgencyCodes(args.agencyCodes, "agencyCodes");
    return keysetPage(em, IndexedDataset, indexFilter(viewer, args), INDEX_ORDERS[args.orderBy], args.first, args.after);
  }
}
