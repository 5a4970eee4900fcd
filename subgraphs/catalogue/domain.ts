/**
 * Catalogue rules as plain functions over data: the metadata vocabulary of
 * the national platform, who may see what, and the counts dashboards use.
 */
import type { FieldProblem } from "../../contract/errors";
import { LifecycleState } from "../kit/datasets";
import { beforeRocCalendarProblem, notYetProblem } from "../kit/days";
import { canonicalFormat } from "../kit/vocabulary";

export { isVisible, visibleStates } from "../kit/datasets";

/** Update frequency as the platform spells it: a number and a unit (每1年, 每3分…) or 不定期更新 (irregular). */
export const ACCRUAL_PERIODICITY = /^(每[1-9]\d*(年|月|週|日|時|分)|不定期更新)$/;

/** The character sets of the metadata standard, as the platform spells them. */
export const CHARACTER_SETS = ["UTF-8", "BIG-5"] as const;

/*
 * Real dataset lists spell the same value many ways (BIG5, Big5, utf8, 每月,
 * 每季, ＣＳＶ…). Input is read in every common spelling and stored, then
 * exported, in the platform's one spelling; only what no spelling explains
 * is refused. Full-width characters count as their ASCII forms (NFKC).
 */

const ENCODING_SPELLINGS: Record<string, (typeof CHARACTER_SETS)[number]> = {
  UTF8: "UTF-8",
  UTF8BOM: "UTF-8",
  UTF8WITHBOM: "UTF-8",
  BIG5: "BIG-5",
  // Windows' code page for Big5, as Excel names it.
  CP950: "BIG-5",
  MS950: "BIG-5",
};

/** UTF-8 or BIG-5 for any common spelling of them (UTF8, utf-8, Big5, BIG5, BIG-5, CP950…); null for another encoding. */
export function canonicalEncoding(text: string): (typeof CHARACTER_SETS)[number] | null {
  return ENCODING_SPELLINGS[text.normalize("NFKC").toUpperCase().replace(/[\s\-_()（）]/g, "")] ?? null;
}

const UNIT_SPELLINGS: Record<string, string> = { 年: "年", 月: "月", 週: "週", 周: "週", 星期: "週", 日: "日", 天: "日", 時: "時", 小時: "時", 分: "分", 分鐘: "分" };
const PERIOD_WORDS: Record<string, string> = { 季: "每3月", 半年: "每6月", 雙月: "每2月" };

/** The platform's spelling of an update frequency (每月 → 每1月, 每季 → 每3月, 不定期 → 不定期更新, 每 1 年 → 每1年…); null when none applies. */
export function canonicalPeriodicity(text: string): string | null {
  const compact = text.normalize("NFKC").replace(/\s/g, "").replace(/更新$/, "");
  if (compact === "不定期") return "不定期更新";
  const match = /^每(\d*)(.+)$/.exec(compact);
  if (!match) return null;
  const [, count, unit] = match;
  if (!count && PERIOD_WORDS[unit]) return PERIOD_WORDS[unit];
  const canonical = `每${Number(count || "1")}${UNIT_SPELLINGS[unit] ?? unit}`;
  return ACCRUAL_PERIODICITY.test(canonical) ? canonical : null;
}

/** A dataset's vocabulary in the platform's spelling; values no spelling explains are left for validation to refuse. */
export function inPlatformSpelling<T extends { accrualPeriodicity: string; resources: readonly { format: string; encoding: string }[] }>(input: T): T {
  return {
    ...input,
    accrualPeriodicity: canonicalPeriodicity(input.accrualPeriodicity) ?? input.accrualPeriodicity,
    resources: input.resources.map((resource) => ({
      ...resource,
      format: canonicalFormat(resource.format),
      encoding: canonicalEncoding(resource.encoding) ?? resource.encoding,
    })),
  };
}

export interface DatasetDates {
  issued: string;
  retiredOn?: string | null;
}

/**
 * Counts as of a calendar day: a dataset counts once published (issued on or
 * before the day) and is on the platform unless retired on or before it.
 */
export function summarize(datasets: readonly DatasetDates[], asOf: string): { datasets: number; published: number; retired: number } {
  let total = 0;
  let retired = 0;
  for (const dataset of datasets) {
    if (dataset.issued > asOf) continue;
    total += 1;
    if (dataset.retiredOn && dataset.retiredOn <= asOf) retired += 1;
  }
  return { datasets: total, published: total - retired, retired };
}

/**
 * Why `day` cannot be a day of a dataset's history (its issue, its retirement)
 * as of `today` in Taipei, or null: the counts go by day, so a day yet to come
 * would make the dataset's state disagree with them until then.
 */
export function historyDayProblem(day: string, today: string): string | null {
  const notYet = notYetProblem(day, today);
  return notYet ? `${notYet}: enter today or an earlier day, or leave it out for today` : beforeRocCalendarProblem(day);
}

/** What is wrong with what a retirement of `dataset` names, as of `today` in Taipei: its day, and the dataset it was merged into. */
export function retirementInputProblems(
  dataset: { identifier: string },
  retirement: { retiredOn: string; mergedInto?: string | null },
  today: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const day = historyDayProblem(retirement.retiredOn, today);
  if (day) problems.push({ path: "input.retiredOn", reason: day });
  if (retirement.mergedInto === dataset.identifier) {
    problems.push({ path: "input.mergedInto", reason: "is the retired dataset itself: name the dataset it was merged into, or leave it out" });
  }
  return problems;
}

/** Why a dataset is not one to retire or check for quality, or null: only a published dataset is. */
export function unpublishedProblem(dataset: { lifecycleState: LifecycleState }): string | null {
  return dataset.lifecycleState === LifecycleState.PUBLISHED ? null : `it is ${dataset.lifecycleState}, not PUBLISHED`;
}

/** Why a dataset cannot be retired on `retiredOn`, or null: only a published dataset, and not before it was issued. */
export function retirementProblem(dataset: { lifecycleState: LifecycleState; issued: string }, retiredOn: string): string | null {
  return unpublishedProblem(dataset) ?? (retiredOn < dataset.issued ? `it was issued on ${dataset.issued}, after ${retiredOn}` : null);
}

/**
 * Rules across fields of the metadata standard, and against `today` in
 * Taipei, that field validation alone cannot state. `at` is where the
 * dataset sits in the caller's input ("input", "input.dataset"; "" for a row
 * of an imported list), so each problem's path points at the offending field
 * as the caller sent it.
 */
export function metadataProblems(
  input: { issued?: string; cost?: string; costUrl?: string; costLaw?: string; temporalCoverageFrom?: string; temporalCoverageTo?: string },
  at: string,
  today: string,
): FieldProblem[] {
  const path = (field: string) => (at ? `${at}.${field}` : field);
  const problems: FieldProblem[] = [];
  const issued = input.issued ? historyDayProblem(input.issued, today) : null;
  if (issued) problems.push({ path: path("issued"), reason: issued });
  if (input.cost && input.cost !== FREE) {
    if (!input.costUrl) problems.push({ path: path("costUrl"), reason: "is required when a fee is charged" });
    if (!input.costLaw) problems.push({ path: path("costLaw"), reason: "is required when a fee is charged" });
  }
  if (input.temporalCoverageFrom && input.temporalCoverageTo && input.temporalCoverageFrom > input.temporalCoverageTo) {
    problems.push({ path: path("temporalCoverageTo"), reason: "is before temporalCoverageFrom" });
  }
  return problems;
}

/** 計費方式 of a dataset without a fee. */
export const FREE = "免費";
