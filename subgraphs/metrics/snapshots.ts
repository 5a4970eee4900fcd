/**
 * Daily snapshots per agency and figure, for trend charts. Cumulative
 * dataset counts are filled from the day-by-day figures (so a rebuild fills
 * every past day); figures that only exist "now" (passing resources, overdue
 * comments) are recorded once a day by the snapshot job. A series reads, for
 * each day something changed, the latest snapshot of every agency asked for.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { Arg, Ctx, Field, Float, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { AgencyCodesArg } from "../kit/validation";
import { badUserInput } from "../../contract/errors";
import { startJob, type RunningJob } from "../../contract/jobs";
import type { Logger } from "../../contract/logger";
import { CalendarDate, taipeiDate } from "../kit/scalars";
import type { MetricsContext } from "./context";
import { Agency } from "./entities";
import { progressOf } from "./progress";

export enum HistoryFigure {
  DATASETS_ON_PLATFORM = "datasetsOnPlatform",
  DATASETS_OPENED = "datasetsOpened",
  DATASETS_RETIRED = "datasetsRetired",
  STRUCTURED_RESOURCES_PASSING = "structuredResourcesPassing",
  OVERDUE_NOW = "overdueNow",
}
registerEnumType(HistoryFigure, { name: "HistoryFigure", description: "A figure kept as a daily snapshot (cumulative counts, and the counts that only exist now)." });

@ObjectType({ description: "A figure's value on a day (the sum over the agencies asked for)." })
export class HistoryPoint {
  @Field(() => CalendarDate) day!: string;
  @Field(() => Float) value!: number;
}

/** Fills the cumulative dataset figures of every day on which one changed. */
export async function fillSnapshotsFromHistory(em: EntityManager): Promise<void> {
  await em.getConnection().execute(
    `insert into daily_snapshot (agency_code, figure, day, value)
     select agency_code, figure, day, value from (
       select agency_code, day,
              sum(sum(value) filter (where figure = 'opened')) over w as opened,
              sum(sum(value) filter (where figure = 'retired')) over w as retired
       from figure_day where figure in ('opened', 'retired') group by agency_code, day
       window w as (partition by agency_code order by day)
     ) days
     cross join lateral (values ('${HistoryFigure.DATASETS_OPENED}', coalesce(opened, 0)),
                                ('${HistoryFigure.DATASETS_RETIRED}', coalesce(retired, 0)),
                                ('${HistoryFigure.DATASETS_ON_PLATFORM}', coalesce(opened, 0) - coalesce(retired, 0))) as f(figure, value)
     on conflict (agency_code, figure, day) do update set value = excluded.value`,
  );
}

/** Records today's value of every snapshot figure of every agency (again: the day's latest wins). */
export async function snapshotToday(em: EntityManager): Promise<void> {
  const today = taipeiDate(new Date());
  const agencies = await em.find(Agency, {});
  const rows: { agencyCode: string; figure: string; value: number }[] = [];
  // One agency after the other: the job shares the pool with the projection and the queries.
  for (const agency of agencies) {
    const p = await progressOf(em, [agency.code], agency.code, today, undefined);
    const values: Record<HistoryFigure, number> = {
      [HistoryFigure.DATASETS_ON_PLATFORM]: p.datasetsOnPlatform,
      [HistoryFigure.DATASETS_OPENED]: p.datasetsOnPlatform + p.datasetsRetired,
      [HistoryFigure.DATASETS_RETIRED]: p.datasetsRetired,
      [HistoryFigure.STRUCTURED_RESOURCES_PASSING]: p.structuredResourcesPassing,
      [HistoryFigure.OVERDUE_NOW]: p.overdueNow,
    };
    rows.push(...Object.entries(values).map(([figure, value]) => ({ agencyCode: agency.code, figure, value })));
  }
  await em.getConnection().execute(
    `insert into daily_snapshot (agency_code, figure, day, value)
     select x."agencyCode", x.figure, ?::date, x.value from jsonb_to_recordset(?::jsonb) as x("agencyCode" text, figure text, value double precision)
     on conflict (agency_code, figure, day) do update set value = excluded.value`,
    [today, JSON.stringify(rows)],
  );
}

export async function snapshotSeries(em: EntityManager, figure: HistoryFigure, agencyCodes: readonly string[] | null, from: string, to: string): Promise<HistoryPoint[]> {
  const scope = agencyCodes ? JSON.stringify(agencyCodes) : null;
  const inScope = "(?::jsonb is null or agency_code in (select jsonb_array_elements_text(?::jsonb)))";
  const rows = await em.getConnection().execute<{ day: string; value: number }[]>(
    `with days as (select distinct day from daily_snapshot where figure = ? and ${inScope} and day between ?::date and ?::date)
     select d.day::text as day, coalesce(sum(latest.value), 0)::float8 as value
     from days d cross join lateral (
       select distinct on (agency_code) value from daily_snapshot
       where figure = ? and ${inScope} and day <= d.day order by agency_code, day desc
     ) latest
     group by d.day order by d.day`,
    [figure, scope, scope, from, to, figure, scope, scope],
  );
  return rows.map((row) => ({ day: row.day, value: Number(row.value) }));
}

/** Snapshots today's figures at start and then every `intervalMs`. */
export function startSnapshotJob(orm: MikroORM, intervalMs: number, log: Logger): RunningJob {
  return startJob({ name: "metrics-snapshot", intervalMs, runAtStart: true, run: () => snapshotToday(orm.em.fork()), log });
}

@Resolver()
export class ProgressHistoryResolver {
  @Query(() => [HistoryPoint], { description: "A figure's daily snapshots over time, summed over every agency or those named: one point per day it changed." })
  async progressHistory(
    @Arg("figure", () => HistoryFigure) figure: HistoryFigure,
    @AgencyCodesArg("agencyCodes") agencyCodes: string[] | undefined,
    @Arg("from", () => CalendarDate, { nullable: true }) from: string | undefined,
    @Arg("to", () => CalendarDate, { nullable: true }) to: string | undefined,
    @Ctx() { em }: MetricsContext,
  ): Promise<HistoryPoint[]> {
    const [first, last] = [from ?? "1912-01-01", to ?? taipeiDate(new Date())];
    // An empty series would read as "nothing changed": a reversed range is a mistake to name.
    if (first > last) throw badUserInput([{ path: "to", reason: `must be on or after from (${first})` }]);
    return snapshotSeries(em, figure, agencyCodes ?? null, first, last);
  }
}
