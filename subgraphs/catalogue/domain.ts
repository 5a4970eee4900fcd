/**
 * Catalogue rules as plain functions over data: the metadata vocabulary of
 * the national platform, who may see what, and the counts dashboards use.
 */
import { isInsider } from "../../contract/authorization";
import type { Viewer } from "../../contract/claims";
import type { FieldProblem } from "../../contract/errors";
import { LifecycleState } from "./entities";

/** The national platform's 18 service categories (服務分類). */
export const SERVICE_CATEGORIES = [
  "生育保健", "出生及收養", "求學及進修", "服兵役", "求職及就業", "開創事業",
  "婚姻", "投資理財", "休閒旅遊", "交通及通訊", "就醫", "購屋及遷徙",
  "選舉及投票", "生活安全及品質", "退休", "老年安養", "生命禮儀", "公共資訊",
] as const;

/** Update frequency: a number and a unit (每1年, 每3分…) or 不定期更新 (irregular). */
export const ACCRUAL_PERIODICITY = /^(每[1-9]\d*(年|月|週|日|時|分)|不定期更新)$/;

export const CHARACTER_SETS = ["UTF-8", "BIG-5"] as const;

/** The public reads published datasets only; an agency's own staff and the ministry see every state. */
export function visibleStates(viewer: Viewer, agencyCode: string): LifecycleState[] | null {
  return isInsider(viewer, agencyCode) ? null : [LifecycleState.PUBLISHED];
}

export function isVisible(viewer: Viewer, dataset: { agencyCode: string; lifecycleState: LifecycleState }): boolean {
  const states = visibleStates(viewer, dataset.agencyCode);
  return !states || states.includes(dataset.lifecycleState);
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

/** Why a dataset cannot be retired on `retiredOn`, or null: only a published dataset, and not before it was issued. */
export function retirementProblem(dataset: { lifecycleState: LifecycleState; issued: string }, retiredOn: string): string | null {
  if (dataset.lifecycleState !== LifecycleState.PUBLISHED) return `it is ${dataset.lifecycleState}, not PUBLISHED`;
  if (retiredOn < dataset.issued) return `it was issued on ${dataset.issued}, after ${retiredOn}`;
  return null;
}

/**
 * Rules across fields of the metadata standard that field validation alone
 * cannot state. `at` is where the dataset sits in the caller's input
 * ("input", "input.dataset"; "" for a row of an imported list), so each
 * problem's path points at the offending field as the caller sent it.
 */
export function metadataProblems(
  input: { cost?: string; costUrl?: string; costLaw?: string; temporalCoverageFrom?: string; temporalCoverageTo?: string },
  at: string,
): FieldProblem[] {
  const path = (field: string) => (at ? `${at}.${field}` : field);
  const problems: FieldProblem[] = [];
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
