import { approvalProblem, strategyTargetProblems } from "./strategy";

test("a new version is approved at a meeting on or after the latest version's day", () => {
  const latest = { version: 6, approvedOn: "2018-03-19" };
  expect(approvalProblem(latest, "2016-05-05")).toBe("version 6 was approved on 2018-03-19; a new version is approved at a meeting on or after that day");
  expect(approvalProblem(latest, "2018-03-19")).toBeNull();
  expect(approvalProblem(latest, "2026-06-15")).toBeNull();
  expect(approvalProblem(null, "2015-06-22")).toBeNull();
});

test("a version sets at least one target, and one per strategy", () => {
  expect(strategyTargetProblems([], "input.targets")).toEqual([{ path: "input.targets", reason: "names at least one strategy's target" }]);
  expect(strategyTargetProblems([{ strategy: 1 }, { strategy: 2 }, { strategy: 4 }], "input.targets")).toEqual([]);
  expect(strategyTargetProblems([{ strategy: 2 }, { strategy: 1 }, { strategy: 2 }, { strategy: 2 }], "input.targets")).toEqual([
    { path: "input.targets.2.strategy", reason: "strategy 2 already has its target at input.targets.0" },
    { path: "input.targets.3.strategy", reason: "strategy 2 already has its target at input.targets.0" },
  ]);
});
