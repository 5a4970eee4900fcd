/**
 * A figure's history, for trend charts. The cumulative dataset counts are
 * read from the projection's day-by-day figures, so their whole history is
 * there as soon as the projection has it (after a start, a rebuild, a shard
 * admitted). Figures that only exist "now" (passing resources, overdue
 * comments) are recorded as daily snapshots by the snapshot job, once the
 * projection has caught up with the shards: a snapshot of a projection still
 * replaying would record partial figures as the day's. A snapshot series
 * reads, for each day something changed, the latest snapshot of every agency
 * asked for.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { Arg, Ctx, Field, Float, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { AgencyCodesArg } from "../kit/validation";
import { assertDayRange, FIRST_ROC_DAY, todayInTaipei } from "../kit/days";
import { startJob, type RunningJob } from "../../contract/jobs";
import type { Logger } from "../../contract/logger";
import { CalendarDate } from "../kit/scalars";
import type { MetricsContext } from "./context";
import { Agency } from "./entities";
import { IN_SCOPE, scopeOf } from "./store";
import { progressOf } from "./progress";

export enum HistoryFigure {
  DATASETS_ON_PLATFORM = "datasetsOnPlatform",
  DATASETS_OPENED = "datasetsOpened",
  DATASETS_RETIRED = "datasetsRetired",
  STRUCTURED_RESOURCES_PASSING = "structuredResourcesPassing",
  OVERDUE_NOW = "overdueNow",
}
registerEnumType(HistoryFigure, { name: "HistoryFigure", description: "A figure with a history: the cumulative dataset counts, and the counts that only exist now (kept as daily snapshots)." });

@ObjectType({ description: "A figure's value on a day (the sum over the agencies asked for)." })
export class HistoryPoint {
  @Field(() => CalendarDate) day!: string;
  @Field(() => Float) value!: number;
}

/** The figures kept as daily snapshots: those the projection keeps only as they stand now. */
const SNAPSHOT_FIGURES = [HistoryFigure.STRUCTURED_RESOURCES_PASSING, HistoryFigure.OVERDUE_NOW] as const;

/** Records today's value of every snapshot figure of every agency (again: the day's latest wins). */
export async function snapshotToday(em: EntityManager): Promise<void> {
  const today = todayInTaipei();
  const agencies = await em.find(Agency, {});
  const rows: { agencyCode: string; figure: string; value: number }[] = [];
  // One agency after the other: the job shares the pool with the projection and the queries.
  for (const agency of agencies) {
    const p = await progressOf(em, [agency.code], agency.code, today, undefined);
    rows.push(...SNAPSHOT_FIGURES.map((figure) => ({ agencyCode: agency.code, figure, value: p[figure] })));
  }
  await em.getConnection().execute(
    `insert into daily_snapshot (agency_code, figure, day, value)
     select x."agencyCode", x.figure, ?::date, x.value from jsonb_to_recordset(?::jsonb) as x("agencyCode" text, figure text, value double precision)
     on conflict (agency_code, figure, day) do update set value = excluded.value`,
    [today, JSON.stringify(rows)],
  );
}

/** Each cumulative dataset figure from the day's openings and retirements. */
const CUMULATIVE: Partial<Record<HistoryFigure, string>> = {
  [HistoryFigure.DATASETS_OPENED]: "opened",
  [HistoryFigure.DATASETS_RETIRED]: "retired",
  [HistoryFigure.DATASETS_ON_PLATFORM]: "opened - retired",
};

function historySeries(em: EntityManager, figure: HistoryFigure, agencyCodes: readonly string[] | null, from: string, to: string): Promise<HistoryPoint[]> {
  const cumulative = CUMULATIVE[figure];
  return cumulative === undefined ? snapshotSeries(em, figure, agencyCodes, from, to) : cumulativeSeries(em, cumulative, agencyCodes, from, to);
}

/** A cumulative dataset figure on each day it changed, summed from the projection's days (all of them, so the first point counts what came before `from`). */
async function cumulativeSeries(em: EntityManager, expression: string, agencyCodes: readonly string[] | null, from: string, to: string): Promise<HistoryPoint[]> {
  const scope = scopeOf(agencyCodes);
  const rows = await em.getConnection().execute<{ day: string; value: number }[]>(
    `with days as (
       select day, coalesce(sum(value) filter (where figure = 'opened'), 0) as opened, coalesce(sum(value) filter (where figure = 'retired'), 0) as retired
       from figure_day
       where figure in ('opened', 'retired') and ${IN_SCOPE} and day <= ?::date
       group by day
     )
     select day::text as day, value::float8 as value from (
       select day, ${expression} as change, sum(${expression}) over (order by day) as value from days
     ) running
     where day >= ?::date and change <> 0 order by day`,
    [scope, scope, to, from],
  );
  return rows.map((row) => ({ day: row.day, value: Number(row.value) }));
}

async function snapshotSeries(em: EntityManager, figure: HistoryFigure, agencyCodes: readonly string[] | null, from: string, to: string): Promise<HistoryPoint[]> {
  const scope = scopeOf(agencyCodes);
  const rows = await em.getConnection().execute<{ day: string; value: number }[]>(
    `with days as (select distinct day from daily_snapshot where figure = ? and ${IN_SCOPE} and day between ?::date and ?::date)
     select d.day::text as day, coalesce(sum(latest.value), 0)::float8 as value
     from days d cross join lateral (
       select distinct on (agency_code) value from daily_snapshot
       where figure = ? and ${IN_SCOPE} and day <= d.day order by agency_code, day desc
     ) latest
     group by d.day order by d.day`,
    [figure, scope, scope, from, to, figure, scope, scope],
  );
  return rows.map((row) => ({ day: row.day, value: Number(row.value) }));
}

/**
 * Snapshots today's figures every `intervalMs` once the projection has caught up with the shards
 * (the caller runs it once at that moment too); until then a pass records nothing.
 */
export function startSnapshotJob(orm: MikroORM, intervalMs: number, log: Logger, projection: { readonly caughtUp: boolean }): RunningJob {
  return startJob({
    name: "metrics-snapshot",
    intervalMs,
    run: async () => {
      if (!projection.caughtUp) {
        log.info("today's snapshot waits until the projection has caught up with the shards");
        return;
      }
      await snapshotToday(orm.em.fork());
    },
    log,
  });
}

@Resolver()
export class ProgressHistoryResolver {
  @Query(() => [HistoryPoint], { description: "A figure over time, summed over every agency or those named: one point per day it changed (the dataset counts from the projection's whole history; the others from daily snapshots)." })
  async progressHistory(
    @Arg("figure", () => HistoryFigure) figure: HistoryFigure,
    @AgencyCodesArg("agencyCodes") agencyCodes: string[] | undefined,
    @Arg("from", () => CalendarDate, { nullable: true }) from: string | undefined,
    @Arg("to", () => CalendarDate, { nullable: true }) to: string | undefined,
    @Ctx() { em }: MetricsContext,
  ): Promise<HistoryPoint[]> {
    const [first, last] = [from ?? FIRST_ROC_DAY, to ?? todayInTaipei()];
    assertDayRange(first, last);
    return historySeries(em, figure, agencyCodes ?? null, first, last);
  }
}
