/**
 * The projection's tables: applying a batch of one shard's events (facts,
 * figures and the shard's position in one transaction), and reading figures
 * back. Sets travel to PostgreSQL as one JSON parameter, so a batch costs a
 * handful of statements whatever its size.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { appendEvent } from "../kit/outbox";
import {
  contributionDelta,
  datasetContributions,
  inventoryContributions,
  fold,
  mergeDeltas,
  nextDatasetFact,
  nextFeedbackFact,
  nextInventoryFact,
  type Contribution,
  type DatasetFact,
  type FeedbackFact,
  type InventoryFact,
  type ShardEvent,
} from "./projection";
import { daysAfter } from "../kit/days";
import type { Period } from "./domain";
import { applyToIndex } from "./dataset-index";
import { sqlOf, type Sql } from "../kit/sql";

/**
 * What metrics' own outbox announces, in the transaction that changes it:
 * every replica reads these to drop its kept answers and tell its
 * progressChanged subscribers (live.ts).
 */
export const ANNOUNCEMENT = {
  /** An agency's figures changed (payload: agencyCode, cause: the event type that changed them). */
  PROGRESS_CHANGED: "ProgressChanged",
  /** An agency's target was set (payload: agencyCode…). */
  TARGET_SET: "TargetSet",
  /** The projection was emptied for a rebuild. */
  PROJECTION_RESET: "ProjectionReset",
} as const;

export interface ShardKey {
  subgraph: string;
  agencyCode: string;
}

export type ApplyResult =
  /** Applied (or already applied): the shard's position now, and the last event type that changed a figure (announced as ProgressChanged). */
  | { kind: "applied"; position: string; cause: string | null }
  /** The stored position is behind the stream (the projection was rebuilt): resume from it. */
  | { kind: "behind"; position: string };

const json = (value: unknown) => JSON.stringify(value);
/** The scope asked, as IN_SCOPE binds it: every agency (null), or those listed. */
export const scopeOf = (agencyCodes: readonly string[] | null) => (agencyCodes ? json(agencyCodes) : null);
/** A row of the scope asked, bound twice, as `[scopeOf(codes), scopeOf(codes)]`. */
export const IN_SCOPE = "(?::jsonb is null or agency_code in (select jsonb_array_elements_text(?::jsonb)))";

export async function storedPosition(em: EntityManager, shard: ShardKey): Promise<string> {
  const rows = await em.getConnection().execute<{ seq: string }[]>(
    "select seq::text as seq from projection_position where subgraph = ? and agency_code = ?",
    [shard.subgraph, shard.agencyCode],
  );
  return rows[0]?.seq ?? "0";
}

/**
 * Applies events of one shard that follow `expected` (the position the caller's stream stands on) in
 * one transaction with the shard's position. Events at or before the stored position are skipped, so an
 * event delivered twice counts once; a stored position behind `expected` means the projection was reset.
 */
export async function applyEvents(em: EntityManager, shard: ShardKey, expected: string, events: readonly ShardEvent[]): Promise<ApplyResult> {
  return em.transactional(async (tx) => {
    const connection = sqlOf(tx);
    const params = [shard.subgraph, shard.agencyCode];
    await connection("insert into projection_position (subgraph, agency_code, seq) values (?, ?, 0) on conflict do nothing", params);
    const [{ seq: stored }] = await connection<{ seq: string }[]>(
      "select seq::text as seq from projection_position where subgraph = ? and agency_code = ? for update",
      params,
    );
    if (BigInt(stored) < BigInt(expected)) return { kind: "behind", position: stored };
    const fresh = events.filter((event) => BigInt(event.seq) > BigInt(stored));
    if (fresh.length === 0) return { kind: "applied", position: stored, cause: null };
    const cause = shard.subgraph === "feedback" ? await applyFeedback(connection, shard.agencyCode, fresh) : await applyCatalogue(connection, shard.agencyCode, fresh);
    const position = fresh[fresh.length - 1].seq;
    await connection("update projection_position set seq = ?, updated_at = now() where subgraph = ? and agency_code = ?", [position, ...params]);
    if (cause) appendEvent(tx, ANNOUNCEMENT.PROGRESS_CHANGED, shard.agencyCode, { agencyCode: shard.agencyCode, cause });
    return { kind: "applied", position, cause };
  });
}

async function applyCatalogue(connection: Sql, agencyCode: string, events: readonly ShardEvent[]): Promise<string | null> {
  const datasetEvents = events.filter((event) => nextDatasetFact(null, event) !== undefined);
  const inventoryEvents = events.filter((event) => nextInventoryFact(null, event) !== undefined);
  const ids = (list: readonly ShardEvent[]) => json([...new Set(list.map((event) => event.subjectId))]);

  const datasetRows = await connection<Record<string, unknown>[]>(
    `select dataset_id, issued::text as issued, retired_on::text as retired_on, badge, structured_resources, structured_resources_passing
     from dataset_fact where agency_code = ? and dataset_id in (select jsonb_array_elements_text(?::jsonb))`,
    [agencyCode, ids(datasetEvents)],
  );
  const datasets = fold<DatasetFact>(
    new Map(datasetRows.map((row) => [String(row.dataset_id), {
      issued: row.issued as string | null,
      retiredOn: row.retired_on as string | null,
      badge: row.badge as string | null,
      structuredResources: Number(row.structured_resources),
      structuredResourcesPassing: Number(row.structured_resources_passing),
    }])),
    datasetEvents,
    nextDatasetFact,
  );
  const inventoryRows = await connection<Record<string, unknown>[]>(
    "select item_id, openness, priority_basis, published from inventory_fact where agency_code = ? and item_id in (select jsonb_array_elements_text(?::jsonb))",
    [agencyCode, ids(inventoryEvents)],
  );
  const inventory = fold<InventoryFact>(
    new Map(inventoryRows.map((row) => [String(row.item_id), { openness: row.openness as string | null, priorityBasis: row.priority_basis as string | null, published: Boolean(row.published) }])),
    inventoryEvents,
    nextInventoryFact,
  );

  if (datasets.changed.size > 0) {
    await connection(
      `insert into dataset_fact (agency_code, dataset_id, issued, retired_on, badge, structured_resources, structured_resources_passing)
       select ?, x.id, x.issued, x."retiredOn", x.badge, x."structuredResources", x."structuredResourcesPassing"
       from jsonb_to_recordset(?::jsonb) as x(id text, issued date, "retiredOn" date, badge text, "structuredResources" int, "structuredResourcesPassing" int)
       on conflict (agency_code, dataset_id) do update set issued = excluded.issued, retired_on = excluded.retired_on, badge = excluded.badge,
         structured_resources = excluded.structured_resources, structured_resources_passing = excluded.structured_resources_passing`,
      [agencyCode, json([...datasets.changed].map(([id, { after }]) => ({ id, ...after })))],
    );
  }
  if (inventory.changed.size > 0) {
    await connection(
      `insert into inventory_fact (agency_code, item_id, openness, priority_basis, published)
       select ?, x.id, x.openness, x."priorityBasis", x.published
       from jsonb_to_recordset(?::jsonb) as x(id text, openness text, "priorityBasis" text, published boolean)
       on conflict (agency_code, item_id) do update set openness = excluded.openness, priority_basis = excluded.priority_basis, published = excluded.published`,
      [agencyCode, json([...inventory.changed].map(([id, { after }]) => ({ id, ...after })))],
    );
  }
  const deltas = mergeDeltas([
    ...[...datasets.changed.values()].flatMap(({ before, after }) => contributionDelta(datasetContributions(before), datasetContributions(after))),
    ...[...inventory.changed.values()].flatMap(({ before, after }) => contributionDelta(inventoryContributions(before), inventoryContributions(after))),
  ]);
  await addToFigures(connection, agencyCode, deltas);
  await applyToIndex(connection, agencyCode, events);
  const last = [datasets.last, inventory.last].filter((event) => event !== null).sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).pop();
  return last?.type ?? null;
}

async function addToFigures(connection: Sql, agencyCode: string, deltas: Contribution[]): Promise<void> {
  const byDay = deltas.filter((delta) => delta.day !== null);
  const now = deltas.filter((delta) => delta.day === null);
  if (byDay.length > 0) {
    await connection(
      `insert into figure_day (agency_code, figure, day, value) select ?, x.figure, x.day, x.amount
       from jsonb_to_recordset(?::jsonb) as x(figure text, day date, amount bigint)
       on conflict (agency_code, figure, day) do update set value = figure_day.value + excluded.value`,
      [agencyCode, json(byDay)],
    );
    const byYear = mergeDeltas(byDay.map((delta) => ({ ...delta, day: delta.day!.slice(0, 4) })));
    await connection(
      `insert into figure_year (agency_code, figure, year, value) select ?, x.figure, x.day::int, x.amount
       from jsonb_to_recordset(?::jsonb) as x(figure text, day text, amount bigint)
       on conflict (agency_code, figure, year) do update set value = figure_year.value + excluded.value`,
      [agencyCode, json(byYear)],
    );
  }
  if (now.length > 0) {
    await connection(
      `insert into figure_now (agency_code, figure, value) select ?, x.figure, x.amount
       from jsonb_to_recordset(?::jsonb) as x(figure text, amount bigint)
       on conflict (agency_code, figure) do update set value = figure_now.value + excluded.value`,
      [agencyCode, json(now)],
    );
  }
}

async function applyFeedback(connection: Sql, agencyCode: string, events: readonly ShardEvent[]): Promise<string | null> {
  const relevant = events.filter((event) => nextFeedbackFact(null, event) !== undefined);
  const rows = await connection<Record<string, unknown>[]>(
    `select feedback_id, received_at, reply_due_at, answered_at from feedback_fact
     where agency_code = ? and feedback_id in (select jsonb_array_elements_text(?::jsonb))`,
    [agencyCode, json([...new Set(relevant.map((event) => event.subjectId))])],
  );
  const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
  const comments = fold<FeedbackFact>(
    new Map(rows.map((row) => [String(row.feedback_id), { receivedAt: iso(row.received_at)!, replyDueAt: iso(row.reply_due_at)!, answeredAt: iso(row.answered_at) }])),
    relevant.map((event) => ({ ...event, payload: normalizedInstants(event.payload) })),
    nextFeedbackFact,
  );
  if (comments.changed.size === 0) return null;
  await connection(
    `insert into feedback_fact (agency_code, feedback_id, received_at, reply_due_at, answered_at)
     select ?, x.id, x."receivedAt", x."replyDueAt", x."answeredAt"
     from jsonb_to_recordset(?::jsonb) as x(id text, "receivedAt" timestamptz, "replyDueAt" timestamptz, "answeredAt" timestamptz)
     on conflict (agency_code, feedback_id) do update set received_at = excluded.received_at, reply_due_at = excluded.reply_due_at, answered_at = excluded.answered_at`,
    [agencyCode, json([...comments.changed].map(([id, { after }]) => ({ id, ...after })))],
  );
  return comments.last?.type ?? null;
}

/** Instants compared as stored: one ISO form, whatever form the shard wrote. */
function normalizedInstants(payload: Record<string, unknown>): Record<string, unknown> {
  const out = { ...payload };
  for (const key of ["receivedAt", "replyDueAt", "answeredAt"]) {
    if (typeof out[key] === "string") out[key] = new Date(out[key] as string).toISOString();
  }
  return out;
}

/** Figures read from the projection for a scope (null: every agency), as of a day and over a period. */
export interface ProjectedFigures {
  /** figure → year → amount, for day-based figures up to asOf. */
  byYear: Map<string, Map<number, number>>;
  /** figure → amount, for day-based figures in the period. */
  inPeriod: Map<string, number>;
  /** figure → amount, as things stand now. */
  now: Map<string, number>;
  /** Comments received in the period, and of them those answered or past their deadline by the end of asOf; replies counted once approved by then; overdue now. */
  comments: { received: number; answeredOrDue: number; answeredOnTime: number; overdueNow: number; medianDaysToReply: number | null };
}

/** The instant a Taipei calendar day starts. */
export function taipeiDayStart(day: string): string {
  return `${day}T00:00:00+08:00`;
}

export async function readFigures(em: EntityManager, agencyCodes: readonly string[] | null, asOf: string, period: Period): Promise<ProjectedFigures> {
  const connection = sqlOf(em);
  const s = scopeOf(agencyCodes);
  const asOfYear = Number(asOf.slice(0, 4));
  const [yearly, inPeriod, now, comments] = await Promise.all([
    connection<{ figure: string; year: number; value: string }[]>(
      `select figure, year, sum(value)::text as value from (
         select figure, year, value from figure_year where ${IN_SCOPE} and year < ?
         union all
         select figure, extract(year from day)::int, value from figure_day where ${IN_SCOPE} and day >= ?::date and day <= ?::date
       ) scoped group by figure, year`,
      [s, s, asOfYear, s, s, `${asOfYear}-01-01`, asOf],
    ),
    connection<{ figure: string; value: string }[]>(
      `select figure, sum(value)::text as value from figure_day where ${IN_SCOPE} and day >= ?::date and day <= ?::date group by figure`,
      [s, s, period.from, period.to],
    ),
    connection<{ figure: string; value: string }[]>(`select figure, sum(value)::text as value from figure_now where ${IN_SCOPE} group by figure`, [s, s]),
    connection<Record<string, string | null>[]>(
      `select count(*) filter (where in_period)::text as received,
              count(*) filter (where in_period and (answered or reply_due_at < ?::timestamptz))::text as answered_or_due,
              count(*) filter (where in_period and answered and answered_at < reply_due_at)::text as on_time,
              count(*) filter (where answered_at is null and reply_due_at <= now())::text as overdue,
              (percentile_cont(0.5) within group (order by extract(epoch from answered_at - received_at) / 86400)
                 filter (where in_period and answered))::text as median
       from (select *, received_at >= ?::timestamptz and received_at < ?::timestamptz as in_period,
                    answered_at is not null and answered_at < ?::timestamptz as answered
             from feedback_fact where ${IN_SCOPE}) f`,
      [taipeiDayStart(daysAfter(asOf, 1)), taipeiDayStart(period.from), taipeiDayStart(daysAfter(period.to, 1)), taipeiDayStart(daysAfter(asOf, 1)), s, s],
    ),
  ]);
  const byYear = new Map<string, Map<number, number>>();
  for (const row of yearly) {
    const perYear = byYear.get(row.figure) ?? new Map<number, number>();
    perYear.set(row.year, Number(row.value));
    byYear.set(row.figure, perYear);
  }
  const c = comments[0];
  const amounts = (rows: { figure: string; value: string }[]) => new Map(rows.map((row) => [row.figure, Number(row.value)]));
  return {
    byYear,
    inPeriod: amounts(inPeriod),
    now: amounts(now),
    comments: {
      received: Number(c.received),
      answeredOrDue: Number(c.answered_or_due),
      answeredOnTime: Number(c.on_time),
      overdueNow: Number(c.overdue),
      medianDaysToReply: c.median === null ? null : Number(c.median),
    },
  };
}

/** All-time counts per agency, in the shape of the shards' own answers (catalogueSummary, feedbackStats, datasets' totalCount), for reconciliation. */
export async function projectedCounts(em: EntityManager, asOf: string): Promise<Map<string, Record<string, number>>> {
  const connection = sqlOf(em);
  const [datasets, comments] = await Promise.all([
    connection<{ agency_code: string; figure: string; value: string }[]>(
      `select agency_code, figure, sum(value)::text as value from figure_day where day <= ?::date group by agency_code, figure
       union all select agency_code, 'indexed', count(*)::text from dataset_index group by agency_code`,
      [asOf],
    ),
    connection<Record<string, string>[]>(
      `select agency_code, count(*)::text as received, count(answered_at)::text as answered,
              count(*) filter (where answered_at < reply_due_at)::text as "answeredOnTime",
              count(*) filter (where answered_at is null and reply_due_at <= now())::text as overdue
       from feedback_fact group by agency_code`,
    ),
  ]);
  const counts = new Map<string, Record<string, number>>();
  const of = (code: string) => counts.get(code) ?? counts.set(code, {}).get(code)!;
  for (const row of datasets) of(row.agency_code)[row.figure] = Number(row.value);
  for (const row of comments) for (const key of ["received", "answered", "answeredOnTime", "overdue"]) of(row.agency_code)[key] = Number(row[key]);
  return counts;
}

/** Empties the projection: facts, figures, the dataset index, snapshots and every shard's position (a rebuild starts here). */
export async function resetProjection(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    await sqlOf(tx)("truncate projection_position, dataset_index, dataset_fact, inventory_fact, feedback_fact, figure_day, figure_year, figure_now, daily_snapshot");
    appendEvent(tx, ANNOUNCEMENT.PROJECTION_RESET, "projection", {});
  });
}
