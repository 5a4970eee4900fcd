import { appointmentProblem, compositionOf, compositionProblems, PanelRole } from "./composition";

const members = (conveners: number, agency: number, civil: number) => [
  ...Array.from({ length: conveners }, () => ({ role: PanelRole.CONVENER })),
  ...Array.from({ length: agency }, () => ({ role: PanelRole.AGENCY_REPRESENTATIVE })),
  ...Array.from({ length: civil }, () => ({ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE })),
];

test("1 convener + 7 agency + 4 civil-society representatives meets the rule", () => {
  expect(compositionProblems(compositionOf(members(1, 7, 4)))).toEqual([]);
});

test.each([
  [members(1, 7, 3), ["needs 11 members besides the convener, has 10", "needs at least 4 civil-society representatives, has 3"]],
  [members(2, 7, 4), ["needs exactly 1 convener, has 2"]],
  [members(1, 8, 3), ["needs 7 agency representatives, has 8", "needs at least 4 civil-society representatives, has 3"]],
])("a panel off the rule says what is wrong", (panel, problems) => {
  expect(compositionProblems(compositionOf(panel))).toEqual(problems);
});

test("appointments that would make the rule impossible are refused", () => {
  expect(appointmentProblem(members(1, 0, 0), { role: PanelRole.CONVENER })).toMatch(/already has its convener/);
  expect(appointmentProblem(members(1, 7, 4), { role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE })).toMatch(/11 members/);
  expect(appointmentProblem(members(1, 7, 2), { role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: "MOJ" })).toMatch(/7 agency representatives/);
  expect(appointmentProblem(members(1, 3, 0), { role: PanelRole.AGENCY_REPRESENTATIVE })).toMatch(/must name the agency/);
  expect(appointmentProblem(members(1, 3, 0), { role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, agencyCode: "MOJ" })).toMatch(/represents no agency/);
  expect(appointmentProblem(members(1, 6, 4), { role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: "AJ" })).toBeNull();
});
