import { MINISTRY as MINISTRY_AGENCY } from "../../contract/agencies";
import { Role, type Viewer } from "../../contract/claims";
import type { FieldProblem } from "../../contract/errors";
import { beforeRocCalendarProblem, daysAfter, FIRST_ROC_DAY, notYetProblem } from "../kit/days";
import { Indicator, Strategy } from "./entities";

/** Which strategy each indicator measures (../shared/design/DOMAIN.md, the action strategy table). */
export const strategyOf: Record<Indicator, Strategy> = {
  [Indicator.DATASETS_OPENED]: Strategy.EXPAND_OPEN_DATA,
  [Indicator.DATASETS_ON_PLATFORM]: Strategy.EXPAND_OPEN_DATA,
  [Indicator.INVENTORY_OPENED]: Strategy.EXPAND_OPEN_DATA,
  [Indicator.REPLIES_WITHIN_DEADLINE_PERCENT]: Strategy.IMPROVE_QUALITY,
  [Indicator.STRUCTURED_RESOURCES_PASSING_PERCENT]: Strategy.IMPROVE_QUALITY,
  [Indicator.COMMENTS_OVERDUE]: Strategy.IMPROVE_QUALITY,
  [Indicator.CIVIL_PANEL_MEMBERS]: Strategy.COLLABORATE,
  [Indicator.PANEL_MEETINGS]: Strategy.EVALUATE,
};

const PERCENTAGES = new Set([Indicator.REPLIES_WITHIN_DEADLINE_PERCENT, Indicator.STRUCTURED_RESOURCES_PASSING_PERCENT]);

/** The panel's figures are the ministry's, not an agency's: they appear in the ministry's evaluation rows only. */
const MINISTRY_ONLY = new Set([Indicator.CIVIL_PANEL_MEMBERS, Indicator.PANEL_MEETINGS]);

/** The ministry's code: its own scope holds every agency, and the panel's indicators are its alone. */
export const MINISTRY = MINISTRY_AGENCY.code;

/** Whether an indicator is measured for an agency (and so may have a target there): the panel's for the ministry only. */
export function indicatorAppliesTo(indicator: Indicator, agencyCode: string): boolean {
  return agencyCode === MINISTRY || !MINISTRY_ONLY.has(indicator);
}

/** The most a count target may be: far above anything the ministry's agencies hold (2,041 datasets in 2018). */
const MAX_COUNT_TARGET = 1_000_000;

/** How many years ahead targets are set: the action strategy plans a few years ahead, not centuries. */
const TARGET_YEARS_AHEAD = 10;

/** Why a target value is impossible for its indicator, or null when it is acceptable. */
function targetValueProblem(indicator: Indicator, value: number): string | null {
  if (!Number.isFinite(value) || value < 0) return "must be a number ≥ 0";
  if (PERCENTAGES.has(indicator)) return value > 100 ? "is a percentage: at most 100" : null;
  if (!Number.isInteger(value)) return "counts things: a whole number";
  if (value > MAX_COUNT_TARGET) return `counts things: at most ${MAX_COUNT_TARGET}`;
  return null;
}

/** Why a target cannot be set, per field of the input, before anything is written; empty when it can. */
export function targetProblems(input: { agencyCode: string; indicator: Indicator; year: number; value: number }, today: string): FieldProblem[] {
  const latest = Number(today.slice(0, 4)) + TARGET_YEARS_AHEAD;
  const problems: FieldProblem[] = [];
  if (!indicatorAppliesTo(input.indicator, input.agencyCode)) problems.push({ path: "input.indicator", reason: `is the ministry's own (the advisory panel's): set it for ${MINISTRY}` });
  // The same years progress is read for, and plans up to TARGET_YEARS_AHEAD ahead.
  const year = adYearProblem(input.year) ?? (input.year > latest ? `must be ${latest} or earlier: targets are set at most ${TARGET_YEARS_AHEAD} years ahead` : null);
  if (year) problems.push({ path: "input.year", reason: year });
  const value = targetValueProblem(input.indicator, input.value);
  if (value) problems.push({ path: "input.value", reason: value });
  return problems;
}

/** Who may read who changed a target and when: the ministry's administrators, who set them. */
export function mayReadTargetHistory(viewer: Viewer): boolean {
  return viewer.role === Role.MINISTRY_ADMIN;
}

/** The figures of one scope (an agency, or the whole ministry) that targets are set on. */
export interface ProgressFigures {
  openedInYear: number;
  datasetsOnPlatform: number;
  inventoryOpened: number;
  commentsReceived: number;
  /** Of the comments received, those answered or past their reply deadline by asOf: a comment still within its 14 days is neither late nor on time yet. */
  commentsAnsweredOrDue: number;
  repliedWithinDeadline: number;
  structuredResources: number;
  structuredResourcesPassing: number;
  overdueNow: number;
  civilSocietyPanelMembers: number;
  panelMeetingsHeld: number;
}

/** Share in 0..1, null when there is nothing to share. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** The share of comments answered within the deadline, over those answered or due (0..1); null while none is. */
export function repliedWithinDeadlineShare(p: ProgressFigures): number | null {
  return share(p.repliedWithinDeadline, p.commentsAnsweredOrDue);
}

/**
 * The actual value of an indicator. Percentages are 0..100; with no comment
 * answered or due, no reply was late (100), and with no structured resource checked, none passed (0).
 */
export function actualOf(indicator: Indicator, p: ProgressFigures): number {
  switch (indicator) {
    case Indicator.DATASETS_OPENED: return p.openedInYear;
    case Indicator.DATASETS_ON_PLATFORM: return p.datasetsOnPlatform;
    case Indicator.INVENTORY_OPENED: return p.inventoryOpened;
    case Indicator.REPLIES_WITHIN_DEADLINE_PERCENT: return 100 * (repliedWithinDeadlineShare(p) ?? 1);
    case Indicator.STRUCTURED_RESOURCES_PASSING_PERCENT: return 100 * (share(p.structuredResourcesPassing, p.structuredResources) ?? 0);
    case Indicator.COMMENTS_OVERDUE: return p.overdueNow;
    case Indicator.CIVIL_PANEL_MEMBERS: return p.civilSocietyPanelMembers;
    case Indicator.PANEL_MEETINGS: return p.panelMeetingsHeld;
  }
}

export interface FigureValue {
  indicator: Indicator;
  strategy: Strategy;
  actual: number;
  target: number | null;
  gap: number | null;
  met: boolean | null;
}

/**
 * Indicators whose figures exist only as they stand now (overdue comments, the inventory, the last quality
 * checks, the panel's current term): their actual is today's, whatever day is asked.
 */
const READ_NOW = new Set([Indicator.COMMENTS_OVERDUE, Indicator.INVENTORY_OPENED, Indicator.STRUCTURED_RESOURCES_PASSING_PERCENT, Indicator.CIVIL_PANEL_MEMBERS]);

/** The day an indicator's actual is as of, when figures are asked as of `asOf`. */
export function actualReadOn(indicator: Indicator, asOf: string, today: string): string {
  return READ_NOW.has(indicator) ? today : asOf;
}

/** Fewer is better for these: a target is met when the actual is at or below it. */
const LOWER_IS_BETTER = new Set([Indicator.COMMENTS_OVERDUE]);

/** Whether an indicator's actual meets its target: at or above it, at or below it where fewer is better; null with no target. */
export function targetMet(indicator: Indicator, actual: number, target: number | null): boolean | null {
  if (target === null) return null;
  return LOWER_IS_BETTER.has(indicator) ? actual <= target : actual >= target;
}

/** Every indicator, strategy by strategy, beside its target (when one is set), the gap (actual − target) and whether it is met. */
export function figuresAgainstTargets(progress: ProgressFigures, targets: ReadonlyMap<Indicator, number>, indicators: readonly Indicator[] = Object.values(Indicator)): FigureValue[] {
  return [...indicators]
    .sort((a, b) => strategyOf[a] - strategyOf[b])
    .map((indicator) => {
      const actual = actualOf(indicator, progress);
      const target = targets.get(indicator) ?? null;
      return { indicator, strategy: strategyOf[indicator], actual, target, gap: target === null ? null : actual - target, met: targetMet(indicator, actual, target) };
    });
}

/** The remark of an evaluation row (績效評估), in the report's language. */
export function remarkOf(figure: FigureValue): string {
  if (figure.met === null) return "未設定目標";
  if (figure.met) return "達成目標";
  const short = Math.abs(figure.gap!);
  return `未達目標（差 ${Number.isInteger(short) ? short : short.toFixed(1)}）`;
}

/** Why figures cannot be read as of a day, or null: a day of the ROC calendar, up to today. */
export function asOfProblem(asOf: string, today: string): string | null {
  const notYet = notYetProblem(asOf, today);
  return notYet ? `${notYet}: the figures of a day still to come are not known` : beforeRocCalendarProblem(asOf);
}

/** Why a year is not one metrics knows, or null: an AD year of the ROC calendar, which starts in 1912. */
function adYearProblem(year: number): string | null {
  return !Number.isInteger(year) || year < Number(FIRST_ROC_DAY.slice(0, 4)) ? "must be an AD year after 1911" : null;
}

/** Why figures cannot be read for a year as of a day, or null: an AD year of the ROC calendar that has begun by asOf. */
export function yearProblem(year: number, asOf: string): string | null {
  const problem = adYearProblem(year);
  if (problem) return problem;
  const last = Number(asOf.slice(0, 4));
  if (year > last) return `must be ${last} or earlier: on ${asOf} the year ${year} has not begun`;
  return null;
}

/** The day a year's figures are read on: its last day, or today while it runs. */
export function yearEnd(year: number, today: string): string {
  const last = `${year}-12-31`;
  return last < today ? last : today;
}

/** The days (Asia/Taipei, inclusive) that "in the period" figures count over: openings, comments received, meetings held. */
export interface Period {
  from: string;
  to: string;
}

/** A calendar year, up to `asOf` while it runs (asOf within or after it: yearProblem). */
export function yearPeriod(year: number, asOf: string): Period {
  return { from: `${year}-01-01`, to: yearEnd(year, asOf) };
}

/** The days of the panel's meetings held by `today` (one a meeting, in order): a meeting scheduled for a later day has not been held. */
export function meetingsHeld(meetingDays: readonly string[], today: string): string[] {
  return meetingDays.filter((day) => day <= today).sort();
}

/** Each day a meeting was held, once: how the days are named to a person. */
export function distinctDays(days: readonly string[]): string[] {
  return [...new Set(days)].sort();
}

/**
 * The meeting cycle the ministry reports to the Executive Yuan after a panel
 * meeting (報院備查): from the day after the previous meeting to the day of
 * this one; the first meeting's cycle starts on 1 January of its year.
 * Null when no meeting was held on `heldOn`.
 */
export function meetingCycle(meetingDays: readonly string[], heldOn: string): (Period & { previousMeetingHeldOn: string | null }) | null {
  if (!meetingDays.includes(heldOn)) return null;
  const previous = meetingDays.filter((day) => day < heldOn).sort().pop() ?? null;
  return { from: previous ? daysAfter(previous, 1) : `${heldOn.slice(0, 4)}-01-01`, to: heldOn, previousMeetingHeldOn: previous };
}
