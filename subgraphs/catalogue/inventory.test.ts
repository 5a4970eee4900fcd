import { PriorityBasis } from "../kit/vocabulary";
import { decisionProblem, deIdentificationProblem, inventoryRank, InventoryState, inventorySummary, Openness, publishProblem } from "./inventory";

const usage = { views: 0, downloads: 0, requests: 0 };

test("openable holdings come first by basis — law, duty, demand — then undecided, then not openable; usage orders within", () => {
  expect(inventoryRank({ openness: Openness.OPENABLE, priorityBasis: PriorityBasis.REQUIRED_BY_LAW, ...usage }).priorityRank).toBe(0);
  expect(inventoryRank({ openness: Openness.OPENABLE, priorityBasis: PriorityBasis.STATUTORY_DUTY, ...usage }).priorityRank).toBe(1);
  expect(inventoryRank({ openness: Openness.OPENABLE, priorityBasis: PriorityBasis.PUBLIC_DEMAND, ...usage }).priorityRank).toBe(2);
  expect(inventoryRank({ openness: Openness.UNDECIDED, ...usage }).priorityRank).toBe(3);
  expect(inventoryRank({ openness: Openness.NOT_OPENABLE, ...usage }).priorityRank).toBe(4);
  expect(inventoryRank({ openness: Openness.UNDECIDED, views: 10, downloads: 1, requests: 1 }).usageScore).toBe(12);
});

test("a decision needs its basis", () => {
  const item = { state: InventoryState.INVENTORIED };
  expect(decisionProblem(item, { openness: Openness.OPENABLE, plannedOpeningOn: "2027-01-01" })?.path).toBe("input.priorityBasis");
  expect(decisionProblem(item, { openness: Openness.OPENABLE, priorityBasis: PriorityBasis.PUBLIC_DEMAND })?.path).toBe("input.plannedOpeningOn");
  expect(decisionProblem(item, { openness: Openness.NOT_OPENABLE, legalBasis: " " })?.path).toBe("input.legalBasis");
  expect(decisionProblem({ state: InventoryState.PUBLISHED }, { openness: Openness.NOT_OPENABLE, legalBasis: "x" })).not.toBeNull();
  expect(decisionProblem(item, { openness: Openness.OPENABLE, priorityBasis: PriorityBasis.PUBLIC_DEMAND, plannedOpeningOn: "2027-01-01" })).toBeNull();
});

test("a decision says nothing that contradicts it, and plans a day of the ROC calendar", () => {
  const item = { state: InventoryState.INVENTORIED };
  expect(decisionProblem(item, { openness: Openness.NOT_OPENABLE, legalBasis: "刑事訴訟法第245條", priorityBasis: PriorityBasis.REQUIRED_BY_LAW })).toEqual({
    path: "input.priorityBasis",
    reason: "a holding NOT_OPENABLE has no priority basis: leave it out, or decide it OPENABLE",
  });
  expect(decisionProblem(item, { openness: Openness.NOT_OPENABLE, legalBasis: "刑事訴訟法第245條", plannedOpeningOn: "2027-01-01" })?.path).toBe("input.plannedOpeningOn");
  expect(decisionProblem(item, { openness: Openness.UNDECIDED, priorityBasis: PriorityBasis.PUBLIC_DEMAND })?.path).toBe("input.priorityBasis");
  expect(decisionProblem(item, { openness: Openness.NOT_OPENABLE, legalBasis: "刑事訴訟法第245條", priorityBasis: null, plannedOpeningOn: null })).toBeNull();
  expect(decisionProblem(item, { openness: Openness.OPENABLE, priorityBasis: PriorityBasis.PUBLIC_DEMAND, plannedOpeningOn: "1900-01-01" })).toEqual({
    path: "input.plannedOpeningOn",
    reason: "is before 1912-01-01, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)",
  });
});

test("only planned holdings are published, once, and personal data only once de-identified", () => {
  expect(publishProblem({ state: InventoryState.INVENTORIED, holdsPersonalData: false }, null)).toMatch(/plan it first/);
  expect(publishProblem({ state: InventoryState.PUBLISHED, holdsPersonalData: false }, "ACA-INV-1")).toBe("it is already published, as dataset ACA-INV-1");
  expect(publishProblem({ state: InventoryState.PLANNED, holdsPersonalData: true }, null)).toMatch(/de-identification/);
  expect(publishProblem({ state: InventoryState.PLANNED, holdsPersonalData: true, deIdentification: "k=5" }, null)).toBeNull();
  expect(publishProblem({ state: InventoryState.PLANNED, holdsPersonalData: false }, null)).toBeNull();
});

test("a published holding's de-identification stands", () => {
  expect(deIdentificationProblem({ state: InventoryState.PLANNED }, null)).toBeNull();
  expect(deIdentificationProblem({ state: InventoryState.PUBLISHED }, "ACA-INV-1")).toBe(
    "it is already published, as dataset ACA-INV-1, approved on the de-identification recorded then, which stands",
  );
});

test("the inventory in counts: every state and basis listed, zero when none", () => {
  expect(inventorySummary([])).toEqual({
    total: 0,
    notOpenable: 0,
    undecided: 0,
    byState: [
      { state: InventoryState.INVENTORIED, count: 0 },
      { state: InventoryState.PLANNED, count: 0 },
      { state: InventoryState.PUBLISHED, count: 0 },
    ],
    byBasis: [
      { basis: PriorityBasis.REQUIRED_BY_LAW, planned: 0, published: 0 },
      { basis: PriorityBasis.STATUTORY_DUTY, planned: 0, published: 0 },
      { basis: PriorityBasis.PUBLIC_DEMAND, planned: 0, published: 0 },
    ],
  });
  const summary = inventorySummary([
    { state: InventoryState.INVENTORIED, openness: Openness.UNDECIDED, basis: null, count: 5 },
    { state: InventoryState.INVENTORIED, openness: Openness.NOT_OPENABLE, basis: null, count: 2 },
    { state: InventoryState.PLANNED, openness: Openness.OPENABLE, basis: PriorityBasis.PUBLIC_DEMAND, count: 3 },
    { state: InventoryState.PUBLISHED, openness: Openness.OPENABLE, basis: PriorityBasis.PUBLIC_DEMAND, count: 4 },
    { state: InventoryState.PUBLISHED, openness: Openness.OPENABLE, basis: PriorityBasis.REQUIRED_BY_LAW, count: 1 },
  ]);
  expect(summary).toMatchObject({ total: 15, notOpenable: 2, undecided: 5 });
  expect(summary.byState.map((s) => s.count)).toEqual([7, 3, 5]);
  expect(summary.byBasis).toEqual([
    { basis: PriorityBasis.REQUIRED_BY_LAW, planned: 0, published: 1 },
    { basis: PriorityBasis.STATUTORY_DUTY, planned: 0, published: 0 },
    { basis: PriorityBasis.PUBLIC_DEMAND, planned: 3, published: 4 },
  ]);
});
