/**
 * Days as the platform reasons about them: calendar days (YYYY-MM-DD) in
 * Asia/Taipei, of the ROC calendar the ministry reports in (民國元年 is
 * 1912), none still to come for what has already happened, and ranges the
 * right way round. One wording for each refusal, whichever subgraph makes it.
 */
import { badUserInput } from "../../contract/errors";
import { taipeiDate } from "./scalars";

/** The first day of ROC year 1 (民國元年): no figure or record of the platform is of an earlier day. */
export const FIRST_ROC_DAY = "1912-01-01";

/** The ROC year of an AD year: 2018 is 民國107年. */
export const rocYear = (year: number): number => year - 1911;

/** Today in Asia/Taipei, the day the ministry's rules go by. */
export const todayInTaipei = (): string => taipeiDate(new Date());

/** The calendar day `days` after `day` (before it, when negative). */
export function daysAfter(day: string, days: number): string {
  const later = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)) + days));
  return later.toISOString().slice(0, 10);
}

/** Why a day cannot be recorded, or null: it is before the ROC calendar begins. */
export function beforeRocCalendarProblem(day: string): string | null {
  return day < FIRST_ROC_DAY ? `is before ${FIRST_ROC_DAY}, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)` : null;
}

/** Why a day cannot be the day something happened, as of `today` in Taipei, or null: it has not come yet. Callers add what to do instead. */
export function notYetProblem(day: string, today: string): string | null {
  return day > today ? `is after today (${today} in Taipei)` : null;
}

/**
 * Refuses `to` before `from` (BAD_USER_INPUT on `to`); either may be left
 * out. A reversed range (a list of meetings, a figure's history) would answer
 * an empty list, which reads as "nothing happened": a mistake to name instead.
 */
export function assertDayRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw badUserInput([{ path: "to", reason: `must be on or after from (${from})` }]);
}
