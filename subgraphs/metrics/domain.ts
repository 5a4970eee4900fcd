import { Indicator, Strategy } from "./entities";

/** Which strategy each indicator measures (../shared/design/DOMAIN.md, the action strategy table). */
export const strategyOf: Record<Indicator, Strategy> = {
  [Indicator.DATASETS_OPENED]: Strategy.EXPAND_OPEN_DATA,
  [Indicator.REPLIES_WITHIN_DEADLINE_PERCENT]: Strategy.IMPROVE_QUALITY,
  [Indicator.CIVIL_PANEL_MEMBERS]: Strategy.COLLABORATE,
  [Indicator.PANEL_MEETINGS]: Strategy.EVALUATE,
};

/** Why a target value is impossible for its indicator, or null when it is acceptable. */
export function targetValueProblem(indicator: Indicator, value: number): string | null {
  if (!Number.isFinite(value) || value < 0) return "must be a number ≥ 0";
  if (indicator === Indicator.REPLIES_WITHIN_DEADLINE_PERCENT && value > 100) return "is a percentage: at most 100";
  if (indicator !== Indicator.REPLIES_WITHIN_DEADLINE_PERCENT && !Number.isInteger(value)) return "counts things: a whole number";
  return null;
}
