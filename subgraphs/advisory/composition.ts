/**
 * Panel composition (strategy 3): by default 1 convener + 11 members, of whom
 * 7 are agency representatives and at least 4 are civil-society
 * representatives. The numbers are configuration (contract/config.ts) and
 * come in as `rules`; these are plain functions over the members of one term.
 */
export enum PanelRole {
  CONVENER = "CONVENER",
  AGENCY_REPRESENTATIVE = "AGENCY_REPRESENTATIVE",
  CIVIL_SOCIETY_REPRESENTATIVE = "CIVIL_SOCIETY_REPRESENTATIVE",
}

/** A term's lifecycle: drafted (may be incomplete), activated (the rule holds), ended. */
export enum TermStatus {
  DRAFT = "DRAFT",
  ACTIVE = "ACTIVE",
  ENDED = "ENDED",
}

export interface PanelRules {
  conveners: number;
  /** Members besides the convener(s). */
  members: number;
  agencyRepresentatives: number;
  minCivilSocietyRepresentatives: number;
}

/** The rules a panel term can break, each named so a refusal can say which. */
export enum PanelRule {
  CONVENERS = "CONVENERS",
  MEMBERS = "MEMBERS",
  AGENCY_REPRESENTATIVES = "AGENCY_REPRESENTATIVES",
  MIN_CIVIL_SOCIETY_REPRESENTATIVES = "MIN_CIVIL_SOCIETY_REPRESENTATIVES",
  ONE_ACTIVE_TERM = "ONE_ACTIVE_TERM",
}

export interface RuleViolation {
  rule: PanelRule;
  problem: string;
}

export interface Composition {
  conveners: number;
  agencyRepresentatives: number;
  civilSocietyRepresentatives: number;
  /** Members other than the convener. */
  members: number;
}

export function compositionOf(members: readonly { role: PanelRole }[]): Composition {
  const count = (role: PanelRole) => members.filter((member) => member.role === role).length;
  const agencyRepresentatives = count(PanelRole.AGENCY_REPRESENTATIVE);
  const civilSocietyRepresentatives = count(PanelRole.CIVIL_SOCIETY_REPRESENTATIVE);
  return {
    conveners: count(PanelRole.CONVENER),
    agencyRepresentatives,
    civilSocietyRepresentatives,
    members: agencyRepresentatives + civilSocietyRepresentatives,
  };
}

/** Every rule a panel of this composition breaks; empty when it meets them all. */
export function compositionProblems(composition: Composition, rules: PanelRules): RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (composition.conveners !== rules.conveners) {
    problems.push({ rule: PanelRule.CONVENERS, problem: `needs exactly ${rules.conveners} convener, has ${composition.conveners}` });
  }
  if (composition.members !== rules.members) {
    problems.push({ rule: PanelRule.MEMBERS, problem: `needs ${rules.members} members besides the convener, has ${composition.members}` });
  }
  if (composition.agencyRepresentatives !== rules.agencyRepresentatives) {
    problems.push({
      rule: PanelRule.AGENCY_REPRESENTATIVES,
      problem: `needs ${rules.agencyRepresentatives} agency representatives, has ${composition.agencyRepresentatives}`,
    });
  }
  if (composition.civilSocietyRepresentatives < rules.minCivilSocietyRepresentatives) {
    problems.push({
      rule: PanelRule.MIN_CIVIL_SOCIETY_REPRESENTATIVES,
      problem: `needs at least ${rules.minCivilSocietyRepresentatives} civil-society representatives, has ${composition.civilSocietyRepresentatives}`,
    });
  }
  return problems;
}

/** Why these details cannot describe an appointee, whatever the panel: an agency representative names the agency, nobody else does. */
export function appointeeProblem(appointee: { role: PanelRole; agencyCode?: string | null }): string | null {
  if (appointee.role === PanelRole.AGENCY_REPRESENTATIVE && !appointee.agencyCode) return "an agency representative must name the agency represented";
  if (appointee.role !== PanelRole.AGENCY_REPRESENTATIVE && appointee.agencyCode) return "only an agency representative represents an agency";
  return null;
}

/**
 * The rule a draft term would break for good by this appointment, or null. A
 * draft may be incomplete, but not impossible to complete: a second convener,
 * a twelfth member, an eighth agency representative, or a civil-society
 * representative taking a seat the agencies still need.
 */
export function appointmentProblem(current: readonly { role: PanelRole }[], appointee: { role: PanelRole }, rules: PanelRules): RuleViolation | null {
  const after = compositionOf([...current, appointee]);
  if (after.conveners > rules.conveners) return { rule: PanelRule.CONVENERS, problem: "the panel already has its convener" };
  if (after.members > rules.members) return { rule: PanelRule.MEMBERS, problem: `the panel already has its ${rules.members} members` };
  if (after.agencyRepresentatives > rules.agencyRepresentatives) {
    return { rule: PanelRule.AGENCY_REPRESENTATIVES, problem: `the panel already has its ${rules.agencyRepresentatives} agency representatives` };
  }
  const civilSeats = rules.members - rules.agencyRepresentatives;
  if (after.civilSocietyRepresentatives > civilSeats) {
    return {
      rule: PanelRule.AGENCY_REPRESENTATIVES,
      problem: `the panel already has its ${civilSeats} civil-society representatives (${rules.members} members less ${rules.agencyRepresentatives} agency representatives)`,
    };
  }
  return null;
}

/** A change of membership: members leaving (by id) and members joining, at once (a replacement is both). */
export interface MembershipChange<M> {
  leaving?: readonly string[];
  joining?: readonly M[];
}

/**
 * What a change to a term's membership would break. An active term must meet
 * the whole rule after the change; a draft need only stay completable.
 */
export function membershipChangeProblems<M extends { id: string; role: PanelRole }>(
  status: TermStatus,
  seated: readonly M[],
  change: MembershipChange<{ role: PanelRole }>,
  rules: PanelRules,
): RuleViolation[] {
  const staying = seated.filter((member) => !change.leaving?.includes(member.id));
  const joining = change.joining ?? [];
  if (status === TermStatus.ACTIVE) return compositionProblems(compositionOf([...staying, ...joining]), rules);
  const problems: RuleViolation[] = [];
  let panel: { role: PanelRole }[] = staying;
  for (const appointee of joining) {
    const problem = appointmentProblem(panel, appointee, rules);
    if (problem) problems.push(problem);
    panel = [...panel, appointee];
  }
  return problems;
}

/** Everything that keeps a term from being activated: its own composition, and another term already active. */
export function activationProblems(
  term: { id: string; status: TermStatus },
  seated: readonly { role: PanelRole }[],
  activeTerm: { id: string; name: string } | null,
  rules: PanelRules,
): RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (activeTerm && activeTerm.id !== term.id) {
    problems.push({ rule: PanelRule.ONE_ACTIVE_TERM, problem: `${activeTerm.name} is active: end it first` });
  }
  return [...problems, ...compositionProblems(compositionOf(seated), rules)];
}

/** Why a term cannot move from one state to another, or null: DRAFT → ACTIVE → ENDED, nothing else. */
export function termTransitionProblem(from: TermStatus, to: TermStatus): string | null {
  if (from === TermStatus.DRAFT && to === TermStatus.ACTIVE) return null;
  if (from === TermStatus.ACTIVE && to === TermStatus.ENDED) return null;
  return `the term is ${from}: a term goes from DRAFT to ACTIVE to ENDED only`;
}
