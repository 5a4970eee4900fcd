import { appointmentProblem, compositionOf, compositionProblems, PanelRole } from "./composition";

/** A panel of `conveners` conveners, `agency` agency representatives (one agency each) and `civil` civil-society representatives. */
const panel = (conveners: number, agency: number, civil: number) => [
  ...Array.from({ length: conveners }, () => ({ role: PanelRole.CONVENER })),
  ...Array.from({ length: agency }, (_, i) => ({ role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: `A${i}` })),
  ...Array.from({ length: civil }, () => ({ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE })),
];

describe("the composition of a panel: 1 convener + 11 members, 7 from agencies and at least 4 from civil society", () => {
  test("counts each role; the convener is not one of the members", () => {
    expect(compositionOf(panel(1, 7, 4))).toEqual({ conveners: 1, agencyRepresentatives: 7, civilSocietyRepresentatives: 4, members: 11 });
    expect(compositionOf([])).toEqual({ conveners: 0, agencyRepresentatives: 0, civilSocietyRepresentatives: 0, members: 0 });
  });

  test("1 convener + 7 agency + 4 civil-society representatives has no problem", () => {
    expect(compositionProblems(compositionOf(panel(1, 7, 4)))).toEqual([]);
  });

  test("one civil-society representative short: too few members and too few from civil society", () => {
    expect(compositionProblems(compositionOf(panel(1, 7, 3)))).toEqual([
      "needs 11 members besides the convener, has 10",
      "needs at least 4 civil-society representatives, has 3",
    ]);
  });

  test("two conveners: only the conveners are wrong", () => {
    expect(compositionProblems(compositionOf(panel(2, 7, 4)))).toEqual(["needs exactly 1 convener, has 2"]);
  });

  test("no convener", () => {
    expect(compositionProblems(compositionOf(panel(0, 7, 4)))).toEqual(["needs exactly 1 convener, has 0"]);
  });

  test("an eighth agency seat taken from civil society: 11 members, but the wrong mix", () => {
    expect(compositionProblems(compositionOf(panel(1, 8, 3)))).toEqual([
      "needs 7 agency representatives, has 8",
      "needs at least 4 civil-society representatives, has 3",
    ]);
  });
});

describe("appointing a member to a term", () => {
  const agencyRep = (agencyCode: string | null) => ({ role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode });
  const civilRep = (agencyCode: string | null = null) => ({ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, agencyCode });

  test("a second convener is refused", () => {
    expect(appointmentProblem(panel(1, 3, 2), { role: PanelRole.CONVENER })).toBe("the panel already has its convener");
  });

  test("a twelfth member is refused, whatever the role", () => {
    expect(appointmentProblem(panel(1, 7, 4), civilRep())).toBe("the panel already has its 11 members");
    expect(appointmentProblem(panel(1, 6, 5), agencyRep("AJ"))).toBe("the panel already has its 11 members");
  });

  test("an eighth agency representative is refused even with seats left", () => {
    expect(appointmentProblem(panel(1, 7, 2), agencyRep("MOJ"))).toBe("the panel already has its 7 agency representatives");
  });

  test("an agency representative must name the agency; a civil-society representative must not", () => {
    expect(appointmentProblem(panel(1, 3, 0), agencyRep(null))).toBe("an agency representative must name the agency represented");
    expect(appointmentProblem(panel(1, 3, 0), agencyRep(""))).toBe("an agency representative must name the agency represented");
    expect(appointmentProblem(panel(1, 3, 0), civilRep("MOJ"))).toBe("a civil-society representative represents no agency");
  });

  test("appointments that keep the panel completable are accepted", () => {
    expect(appointmentProblem([], { role: PanelRole.CONVENER })).toBeNull();
    expect(appointmentProblem(panel(1, 6, 4), agencyRep("AJ"))).toBeNull();
    expect(appointmentProblem(panel(1, 7, 3), civilRep())).toBeNull();
    expect(appointmentProblem(panel(0, 7, 4), { role: PanelRole.CONVENER })).toBeNull();
  });

  test("a fifth civil-society representative is refused: the 7 agency seats could no longer all be filled within 11 members", () => {
    // 4 civil + 0 agency so far: a 5th civil member leaves 6 seats for the 7 agency representatives the rule requires.
    expect(appointmentProblem(panel(1, 0, 4), civilRep())).not.toBeNull();
  });
});
