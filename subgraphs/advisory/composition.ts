/**
 * Panel composition (strategy 3): by default 1 convener + 11 members, of whom
 * 7 are agency representatives and at least 4 are civil-society
 * representatives. The numbers are configuration (contract/config.ts) and
 * come in as `rules`; these are plain functions over the members of one term.
 * Who is seated is always a matter of a day (isSeatedOn): a member is
 * appointed on one day and may leave on a later one, both within the term.
 */
import { isSeatedOn } from "./meetings";

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
  TERMS_DO_NOT_OVERLAP = "TERMS_DO_NOT_OVERLAP",
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

/** A member as the rule sees them: a role, held from the appointment day until the day they leave. */
export interface Seat {
  role: PanelRole;
  appointedOn: string;
  leftOn?: string | null;
}

export const seatedOn = <M extends Seat>(members: readonly M[], day: string): M[] => members.filter((member) => isSeatedOn(member, day));

/**
 * The day a term's composition is read on: today while the term runs; before
 * it starts (a draft prepared ahead), its first day, so the panel it will begin
 * with; after its end, its last day, the panel it ended with.
 */
export function compositionDayOf(term: { startsOn: string; endsOn: string }, today: string): string {
  if (today < term.startsOn) return term.startsOn;
  return today > term.endsOn ? term.endsOn : today;
}

/**
 * The problems of the panel on the first day from `from` on that it has any,
 * or none. Who is seated changes only on an appointment or departure day, so
 * those days (and `from`) are the ones checked; a later day is named.
 */
function firstProblemsFrom(members: readonly Seat[], from: string, problemsOf: (seated: Seat[]) => RuleViolation[]): RuleViolation[] {
  const later = new Set(members.flatMap((member) => [member.appointedOn, member.leftOn ?? from]).filter((day) => day > from));
  for (const day of [from, ...[...later].sort()]) {
    const problems = problemsOf(seatedOn(members, day));
    if (problems.length > 0) return day === from ? problems : problems.map((v) => ({ ...v, problem: `${v.problem} from ${day}` }));
  }
  return [];
}

/** Every rule the panel breaks on the first day from `from` on that it breaks any. */
export function compositionProblemsFrom(members: readonly Seat[], from: string, rules: PanelRules): RuleViolation[] {
  return firstProblemsFrom(members, from, (seated) => compositionProblems(compositionOf(seated), rules));
}

/** A change of membership on one day: members leaving (by id) and members joining, at once (a replacement is both). */
export interface MembershipChange<M> {
  on: string;
  leaving?: readonly string[];
  joining?: readonly M[];
}

/**
 * What a change to a term's membership would break, on its day or any later
 * day already planned (a departure or appointment recorded ahead). An active
 * term must meet the whole rule after the change; a draft need only stay
 * completable.
 */
export function membershipChangeProblems<M extends Seat & { id: string }>(
  status: TermStatus,
  members: readonly M[],
  change: MembershipChange<{ role: PanelRole }>,
  rules: PanelRules,
): RuleViolation[] {
  const after = members.map((member) => (change.leaving?.includes(member.id) ? { ...member, leftOn: change.on } : member));
  const joining = (change.joining ?? []).map((appointee) => ({ ...appointee, appointedOn: change.on }));
  if (status === TermStatus.ACTIVE) return compositionProblemsFrom([...after, ...joining], change.on, rules);
  return firstProblemsFrom(after, change.on, (seated) => {
    const problems: RuleViolation[] = [];
    let panel: { role: PanelRole }[] = seated;
    for (const appointee of joining) {
      const problem = appointmentProblem(panel, appointee, rules);
      if (problem) problems.push(problem);
      panel = [...panel, appointee];
    }
    return problems;
  });
}

/**
 * Everything that keeps a term from being activated: another term already
 * active, and its own composition from the day it is read on (compositionDayOf)
 * to its end.
 */
export function activationProblems(
  term: { id: string; status: TermStatus; startsOn: string; endsOn: string },
  members: readonly Seat[],
  activeTerm: { id: string; name: string } | null,
  rules: PanelRules,
  today: string,
): RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (activeTerm && activeTerm.id !== term.id) {
    problems.push({ rule: PanelRule.ONE_ACTIVE_TERM, problem: `${activeTerm.name} is active: end it first` });
  }
  return [...problems, ...compositionProblemsFrom(members, compositionDayOf(term, today), rules)];
}

/**
 * The day a membership change takes effect when none is given: today, or the
 * earliest day it may (the term's first day for an appointment, the member's
 * appointment for a departure) when that is later.
 */
export const membershipDayBy = (earliest: string, today: string): string => (today < earliest ? earliest : today);

/** Why a member cannot join the term (or, given the member, leave it) on this day, or null: the day lies within the term, and a departure is not before the appointment. */
export function membershipDayProblem(term: { name: string; startsOn: string; endsOn: string }, day: string, leaving?: { appointedOn: string }): string | null {
  if (day < term.startsOn || day > term.endsOn) return `is outside the term (${term.name} runs from ${term.startsOn} to ${term.endsOn})`;
  if (leaving && day < leaving.appointedOn) return `is before the member's appointment (${leaving.appointedOn})`;
  return null;
}

/** The terms whose days a new term's would share, each named: the panel serves one term at a time, so a meeting's day names its term. */
export function overlapProblems(term: { startsOn: string; endsOn: string }, others: readonly { name: string; startsOn: string; endsOn: string }[]): RuleViolation[] {
  return others
    .filter((other) => other.startsOn <= term.endsOn && term.startsOn <= other.endsOn)
    .map((other) => ({ rule: PanelRule.TERMS_DO_NOT_OVERLAP, problem: `overlaps ${other.name} (${other.startsOn} to ${other.endsOn})` }));
}

/** Why a term cannot move from one state to another, or null: DRAFT → ACTIVE → ENDED, nothing else. */
export function termTransitionProblem(from: TermStatus, to: TermStatus): string | null {
  if (from === TermStatus.DRAFT && to === TermStatus.ACTIVE) return null;
  if (from === TermStatus.ACTIVE && to === TermStatus.ENDED) return null;
  return `the term is ${from}: a term goes from DRAFT to ACTIVE to ENDED only`;
}
