import {
  activationProblems,
  appointeeProblem,
  appointmentProblem,
  compositionDayOf,
  compositionOf,
  compositionProblems,
  membershipChangeProblems,
  membershipDayBy,
  membershipDayProblem,
  overlapProblems,
  PanelRole,
  PanelRule,
  type PanelRules,
  seatedOn,
  termTransitionProblem,
  TermStatus,
} from "./composition";

/** Today's rule (DOMAIN.md, strategy 3): 1 convener + 11 members, 7 agency and at least 4 civil-society representatives. */
const RULES: PanelRules = { conveners: 1, members: 11, agencyRepresentatives: 7, minCivilSocietyRepresentatives: 4 };

/** A term of the seed's dates, and a day in it. */
const TERM = { name: "第6屆", startsOn: "2025-06-01", endsOn: "2027-05-31" };
const ON = "2026-01-01";

/** A panel of `conveners` conveners, `agency` agency representatives (one agency each) and `civil` civil-society representatives, with ids, all appointed on `appointedOn`. */
const panel = (conveners: number, agency: number, civil: number, appointedOn = TERM.startsOn) => [
  ...Array.from({ length: conveners }, (_, i) => ({ id: `c${i}`, role: PanelRole.CONVENER, appointedOn })),
  ...Array.from({ length: agency }, (_, i) => ({ id: `a${i}`, role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: `A${i}`, appointedOn })),
  ...Array.from({ length: civil }, (_, i) => ({ id: `s${i}`, role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, appointedOn })),
];
const rulesBroken = (conveners: number, agency: number, civil: number, rules = RULES) =>
  compositionProblems(compositionOf(panel(conveners, agency, civil)), rules).map((v) => v.rule);

describe("the composition of a panel", () => {
  test("counts each role; the convener is not one of the members", () => {
    expect(compositionOf(panel(1, 7, 4))).toEqual({ conveners: 1, agencyRepresentatives: 7, civilSocietyRepresentatives: 4, members: 11 });
    expect(compositionOf([])).toEqual({ conveners: 0, agencyRepresentatives: 0, civilSocietyRepresentatives: 0, members: 0 });
  });

  test("1 convener + 7 agency + 4 civil-society representatives breaks no rule", () => {
    expect(compositionProblems(compositionOf(panel(1, 7, 4)), RULES)).toEqual([]);
  });

  test("one civil-society representative short: every broken rule is named, with what it needs and what the panel has", () => {
    expect(compositionProblems(compositionOf(panel(1, 7, 3)), RULES)).toEqual([
      { rule: PanelRule.MEMBERS, problem: "needs 11 members besides the convener, has 10" },
      { rule: PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES, problem: "needs at least 4 civil-society representatives, has 3" },
    ]);
  });

  test("two conveners, or none: only the convener rule", () => {
    expect(compositionProblems(compositionOf(panel(2, 7, 4)), RULES)).toEqual([{ rule: PanelRule.CONVENERS, problem: "needs exactly 1 convener, has 2" }]);
    expect(rulesBroken(0, 7, 4)).toEqual([PanelRule.CONVENERS]);
  });

  test("an eighth agency seat taken from civil society: 11 members, but the wrong mix", () => {
    expect(rulesBroken(1, 8, 3)).toEqual([PanelRule.AGENCY_REPRESENTATIVES, PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES]);
  });

  test("every panel of 0–2 conveners, 5–9 agency and 2–6 civil-society representatives: each rule broken exactly when its bound is crossed", () => {
    for (let c = 0; c <= 2; c++) {
      for (let a = 5; a <= 9; a++) {
        for (let s = 2; s <= 6; s++) {
          const expected = [
            ...(c !== 1 ? [PanelRule.CONVENERS] : []),
            ...(a + s !== 11 ? [PanelRule.MEMBERS] : []),
            ...(a !== 7 ? [PanelRule.AGENCY_REPRESENTATIVES] : []),
            ...(s < 4 ? [PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES] : []),
          ];
          expect({ c, a, s, broken: rulesBroken(c, a, s) }).toEqual({ c, a, s, broken: expected });
        }
      }
    }
    // Within the rule only one panel is valid: 1 + 7 + 4.
  });

  test("the numbers are configuration: with 1 + 9 members (5 agency, at least 3 civil), 1 + 5 + 4 is valid and 1 + 7 + 4 is not", () => {
    const small: PanelRules = { conveners: 1, members: 9, agencyRepresentatives: 5, minCivilSocietyRepresentatives: 3 };
    expect(rulesBroken(1, 5, 4, small)).toEqual([]);
    expect(rulesBroken(1, 6, 3, small)).toEqual([PanelRule.AGENCY_REPRESENTATIVES]);
    expect(rulesBroken(1, 5, 2, small)).toEqual([PanelRule.MEMBERS, PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES]);
    expect(compositionProblems(compositionOf(panel(1, 7, 4)), small)).toContainEqual({ rule: PanelRule.MEMBERS, problem: "needs 9 members besides the convener, has 11" });
  });
});

describe("who an appointee can be", () => {
  test("an agency representative names the agency; nobody else does", () => {
    expect(appointeeProblem({ role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: null })).toBe("an agency representative must name the agency represented");
    expect(appointeeProblem({ role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: "" })).toBe("an agency representative must name the agency represented");
    expect(appointeeProblem({ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, agencyCode: "MOJ" })).toBe("only an agency representative represents an agency");
    expect(appointeeProblem({ role: PanelRole.CONVENER, agencyCode: "MOJ" })).toBe("only an agency representative represents an agency");
    expect(appointeeProblem({ role: PanelRole.AGENCY_REPRESENTATIVE, agencyCode: "ACA" })).toBeNull();
    expect(appointeeProblem({ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE })).toBeNull();
  });
});

describe("appointing to a draft term: it may be incomplete, never impossible to complete", () => {
  const agencyRep = { role: PanelRole.AGENCY_REPRESENTATIVE };
  const civilRep = { role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE };

  test("a second convener is refused, the first accepted", () => {
    expect(appointmentProblem(panel(1, 3, 2), { role: PanelRole.CONVENER }, RULES)).toEqual({ rule: PanelRule.CONVENERS, problem: "the panel already has its convener" });
    expect(appointmentProblem(panel(0, 7, 4), { role: PanelRole.CONVENER }, RULES)).toBeNull();
  });

  test("a twelfth member is refused, whatever the role", () => {
    expect(appointmentProblem(panel(1, 7, 4), civilRep, RULES)?.rule).toBe(PanelRule.MEMBERS);
    expect(appointmentProblem(panel(1, 6, 5), agencyRep, RULES)?.rule).toBe(PanelRule.MEMBERS);
  });

  test("the seventh agency representative is accepted, the eighth refused even with seats left", () => {
    expect(appointmentProblem(panel(1, 6, 2), agencyRep, RULES)).toBeNull();
    expect(appointmentProblem(panel(1, 7, 2), agencyRep, RULES)).toEqual({ rule: PanelRule.AGENCY_REPRESENTATIVES, problem: "the panel already has its 7 agency representatives" });
  });

  test("the fourth civil-society representative is accepted, a fifth refused: the 7 agency seats could no longer all be filled", () => {
    expect(appointmentProblem(panel(1, 0, 3), civilRep, RULES)).toBeNull();
    expect(appointmentProblem(panel(1, 0, 4), civilRep, RULES)?.rule).toBe(PanelRule.AGENCY_REPRESENTATIVES);
  });

  test("every appointment to every draft of 0–1 conveners, 0–7 agency and 0–4 civil members: accepted exactly when a valid panel remains reachable", () => {
    const roles = [PanelRole.CONVENER, PanelRole.AGENCY_REPRESENTATIVE, PanelRole.CIVIL_SOCIETY_REPRESENTATIVE];
    for (let c = 0; c <= 1; c++) {
      for (let a = 0; a <= 7; a++) {
        for (let s = 0; s <= 4; s++) {
          for (const role of roles) {
            const after = { c: c + Number(role === PanelRole.CONVENER), a: a + Number(role === PanelRole.AGENCY_REPRESENTATIVE), s: s + Number(role === PanelRole.CIVIL_SOCIETY_REPRESENTATIVE) };
            const reachable = after.c <= 1 && after.a <= 7 && after.a + after.s <= 11 && after.s <= 4;
            expect({ c, a, s, role, accepted: appointmentProblem(panel(c, a, s), { role }, RULES) === null }).toEqual({ c, a, s, role, accepted: reachable });
          }
        }
      }
    }
  });
});

describe("changing an active term: the whole rule must hold after the change", () => {
  const full = panel(1, 7, 4);

  test("a resignation alone breaks an active term, naming the rules", () => {
    expect(membershipChangeProblems(TermStatus.ACTIVE, full, { on: ON, leaving: ["s0"] }, RULES).map((v) => v.rule)).toEqual([
      PanelRule.MEMBERS,
      PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES,
    ]);
    expect(membershipChangeProblems(TermStatus.ACTIVE, full, { on: ON, leaving: ["c0"] }, RULES).map((v) => v.rule)).toEqual([PanelRule.CONVENERS]);
  });

  test("a replacement in kind keeps it valid; a civil-society seat replaced by an agency representative does not", () => {
    expect(membershipChangeProblems(TermStatus.ACTIVE, full, { on: ON, leaving: ["s0"], joining: [{ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE }] }, RULES)).toEqual([]);
    expect(membershipChangeProblems(TermStatus.ACTIVE, full, { on: ON, leaving: ["s0"], joining: [{ role: PanelRole.AGENCY_REPRESENTATIVE }] }, RULES).map((v) => v.rule)).toEqual([
      PanelRule.AGENCY_REPRESENTATIVES,
      PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES,
    ]);
  });

  test("an appointment to a full active term is refused; to a draft the draft's rule applies", () => {
    expect(membershipChangeProblems(TermStatus.ACTIVE, full, { on: ON, joining: [{ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE }] }, RULES).map((v) => v.rule)).toEqual([PanelRule.MEMBERS]);
    expect(membershipChangeProblems(TermStatus.DRAFT, panel(1, 7, 3), { on: ON, joining: [{ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE }] }, RULES)).toEqual([]);
    expect(membershipChangeProblems(TermStatus.DRAFT, panel(1, 7, 3), { on: ON, leaving: ["a0"] }, RULES)).toEqual([]);
  });

  test("with a fifth civil-society seat allowed by configuration, that member may resign from an active term", () => {
    const wider: PanelRules = { conveners: 1, members: 12, agencyRepresentatives: 7, minCivilSocietyRepresentatives: 4 };
    expect(membershipChangeProblems(TermStatus.ACTIVE, panel(1, 7, 5), { on: ON, leaving: ["s4"] }, wider).map((v) => v.rule)).toEqual([PanelRule.MEMBERS]);
    expect(membershipChangeProblems(TermStatus.ACTIVE, panel(1, 7, 5), { on: ON, leaving: ["s4"] }, { ...wider, members: 11 })).toEqual([]);
  });
});

describe("who is seated, on which day", () => {
  test("a term's composition is read today while it runs, on its first day before it starts, on its last day after it ends", () => {
    expect(compositionDayOf(TERM, "2026-12-05")).toBe("2026-12-05");
    expect(compositionDayOf(TERM, "2025-01-01")).toBe("2025-06-01");
    expect(compositionDayOf(TERM, "2030-01-01")).toBe("2027-05-31");
  });

  test("a replacement recorded ahead: the member leaving stays seated until the day, and a change before it is checked on that later day too", () => {
    const full = panel(1, 7, 4);
    const planned = [...full.map((m) => (m.id === "s0" ? { ...m, leftOn: "2027-01-10" } : m)), { id: "s9", role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, appointedOn: "2027-01-10" }];
    expect(seatedOn(planned, "2026-12-05").map((m) => m.id)).toContain("s0");
    expect(seatedOn(planned, "2027-01-10").map((m) => m.id)).toEqual([...full.map((m) => m.id).filter((id) => id !== "s0"), "s9"]);
    expect(membershipChangeProblems(TermStatus.ACTIVE, planned, { on: "2026-12-05", leaving: ["s1"], joining: [{ role: PanelRole.CIVIL_SOCIETY_REPRESENTATIVE }] }, RULES)).toEqual([]);
    expect(membershipChangeProblems(TermStatus.ACTIVE, planned, { on: "2026-12-05", leaving: ["s1"] }, RULES).map((v) => v.rule)).toEqual([
      PanelRule.MEMBERS,
      PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES,
    ]);
  });

  test("a draft whose agency seats are all taken from a later day refuses an eighth agency representative from its first day, naming that day", () => {
    const later = panel(1, 7, 0, "2027-07-01");
    expect(membershipChangeProblems(TermStatus.DRAFT, later, { on: "2027-06-01", joining: [{ role: PanelRole.AGENCY_REPRESENTATIVE }] }, RULES)).toEqual([
      { rule: PanelRule.AGENCY_REPRESENTATIVES, problem: "the panel already has its 7 agency representatives from 2027-07-01" },
    ]);
  });
});

describe("the day a member joins or leaves", () => {
  test("lies within the term, and a departure is not before the appointment", () => {
    expect(membershipDayProblem(TERM, "2025-06-01")).toBeNull();
    expect(membershipDayProblem(TERM, "2027-05-31")).toBeNull();
    expect(membershipDayProblem(TERM, "2010-01-01")).toBe("is outside the term (第6屆 runs from 2025-06-01 to 2027-05-31)");
    expect(membershipDayProblem(TERM, "2027-06-01")).toBe("is outside the term (第6屆 runs from 2025-06-01 to 2027-05-31)");
    expect(membershipDayProblem(TERM, "2026-01-01", { appointedOn: "2026-03-01" })).toBe("is before the member's appointment (2026-03-01)");
    expect(membershipDayProblem(TERM, "2026-03-01", { appointedOn: "2026-03-01" })).toBeNull();
  });

  test("by default is today, or the earliest day it may be when that is later", () => {
    expect(membershipDayBy("2027-06-01", "2026-12-05")).toBe("2027-06-01");
    expect(membershipDayBy("2025-06-01", "2026-12-05")).toBe("2026-12-05");
  });
});

describe("terms follow one another", () => {
  const terms = [
    { name: "第5屆", startsOn: "2023-06-01", endsOn: "2025-05-31" },
    TERM,
  ];

  test("a term sharing a day with another is named; one beginning the day after the last ends is not", () => {
    expect(overlapProblems({ startsOn: "2026-01-01", endsOn: "2026-12-31" }, terms)).toEqual([
      { rule: PanelRule.TERMS_DO_NOT_OVERLAP, problem: "overlaps 第6屆 (2025-06-01 to 2027-05-31)" },
    ]);
    expect(overlapProblems(TERM, terms).map((v) => v.problem)).toEqual(["overlaps 第6屆 (2025-06-01 to 2027-05-31)"]);
    expect(overlapProblems({ startsOn: "2025-05-31", endsOn: "2025-06-01" }, terms)).toHaveLength(2);
    expect(overlapProblems({ startsOn: "2027-06-01", endsOn: "2029-05-31" }, terms)).toEqual([]);
    expect(overlapProblems({ startsOn: "2020-01-01", endsOn: "2023-05-31" }, terms)).toEqual([]);
  });
});

describe("activating a term", () => {
  const draft = { id: "t2", status: TermStatus.DRAFT, startsOn: "2027-06-01", endsOn: "2029-05-31" };
  const members = (conveners: number, agency: number, civil: number) => panel(conveners, agency, civil, draft.startsOn);

  test("with 3 civil-society members: refused, naming the civil-society rule and the member count", () => {
    expect(activationProblems(draft, members(1, 7, 3), null, RULES, ON).map((v) => v.rule)).toEqual([PanelRule.MEMBERS, PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES]);
  });

  test("while another term is active: refused, with every composition problem besides", () => {
    expect(activationProblems(draft, members(1, 7, 4), { id: "t1", name: "第1屆" }, RULES, ON)).toEqual([{ rule: PanelRule.ONE_ACTIVE_TERM, problem: "第1屆 is active: end it first" }]);
    expect(activationProblems(draft, members(0, 7, 4), { id: "t1", name: "第1屆" }, RULES, ON).map((v) => v.rule)).toEqual([PanelRule.ONE_ACTIVE_TERM, PanelRule.CONVENERS]);
  });

  test("a complete draft with no other term active is accepted", () => {
    expect(activationProblems(draft, members(1, 7, 4), null, RULES, ON)).toEqual([]);
  });

  test("the rule holds from the term's first day on: a convener appointed a month late is missing until then, and a member leaving early is named with the day the panel falls short", () => {
    const lateConvener = [...members(0, 7, 4), { id: "c0", role: PanelRole.CONVENER, appointedOn: "2027-07-01" }];
    expect(activationProblems(draft, lateConvener, null, RULES, ON)).toEqual([{ rule: PanelRule.CONVENERS, problem: "needs exactly 1 convener, has 0" }]);
    expect(activationProblems(draft, lateConvener, null, RULES, "2027-07-01")).toEqual([]);
    const leavingEarly = members(1, 7, 4).map((m) => (m.id === "s3" ? { ...m, leftOn: "2028-01-01" } : m));
    expect(activationProblems(draft, leavingEarly, null, RULES, ON).map((v) => v.problem)).toEqual([
      "needs 11 members besides the convener, has 10 from 2028-01-01",
      "needs at least 4 civil-society representatives, has 3 from 2028-01-01",
    ]);
  });

  test("the lifecycle goes DRAFT → ACTIVE → ENDED only", () => {
    const statuses = Object.values(TermStatus);
    const allowed = statuses.flatMap((from) => statuses.filter((to) => termTransitionProblem(from, to) === null).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(["DRAFT→ACTIVE", "ACTIVE→ENDED"]);
    expect(termTransitionProblem(TermStatus.ENDED, TermStatus.ACTIVE)).toBe("the term is ENDED: a term goes from DRAFT to ACTIVE to ENDED only");
  });
});
