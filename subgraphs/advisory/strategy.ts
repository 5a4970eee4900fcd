/**
 * The action strategy's versions as plain functions. A version's number is
 * the order of its approval, and the versions are listed by it, oldest first:
 * so a new version is approved at a meeting no earlier than the latest
 * version's, and it sets at most one target for each strategy.
 */
import type { FieldProblem } from "../../contract/errors";

/** Why a version cannot be approved at a meeting held on `heldOn`, or null: not before the latest version's approval. */
export function approvalProblem(latest: { version: number; approvedOn: string } | null, heldOn: string): string | null {
  if (!latest || latest.approvedOn <= heldOn) return null;
  return `version ${latest.version} was approved on ${latest.approvedOn}; a new version is approved at a meeting on or after that day`;
}

/** What is wrong with a version's targets (at `path` in the input): none at all, or a strategy given a second target. */
export function strategyTargetProblems(targets: readonly { strategy: number }[], path: string): FieldProblem[] {
  if (targets.length === 0) return [{ path, reason: "names at least one strategy's target" }];
  return targets.flatMap((target, i) => {
    const first = targets.findIndex((other) => other.strategy === target.strategy);
    return first < i ? [{ path: `${path}.${i}.strategy`, reason: `strategy ${target.strategy} already has its target at ${path}.${first}` }] : [];
  });
}
