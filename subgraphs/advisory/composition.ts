/**
 * Panel composition (strategy 3): 1 convener + 11 members, of whom 7 are
 * agency representatives and at least 4 are civil-society representatives.
 * Plain functions over the members of one term.
 */
export enum PanelRole {
  CONVENER = "CONVENER",
  AGENCY_REPRESENTATIVE = "AGENCY_REPRESENTATIVE",
  CIVIL_SOCIETY_REPRESENTATIVE = "CIVIL_SOCIETY_REPRESENTATIVE",
}

export const PANEL_RULES = { conveners: 1, members: 11, agencyRepresentatives: 7, minCivilSocietyRepresentatives: 4 } as const;

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

/** What keeps a panel from meeting the rules; empty when it does. */
export function compositionProblems(composition: Composition): string[] {
  const problems: string[] = [];
  if (composition.conveners !== PANEL_RULES.conveners) problems.push(`needs exactly 1 convener, has ${composition.conveners}`);
  if (composition.members !== PANEL_RULES.members) problems.push(`needs ${PANEL_RULES.members} members besides the convener, has ${composition.members}`);
  if (composition.agencyRepresentatives !== PANEL_RULES.agencyRepresentatives) {
    problems.push(`needs ${PANEL_RULES.agencyRepresentatives} agency representatives, has ${composition.agencyRepresentatives}`);
  }
  if (composition.civilSocietyRepresentatives < PANEL_RULES.minCivilSocietyRepresentatives) {
    problems.push(`needs at least ${PANEL_RULES.minCivilSocietyRepresentatives} civil-society representatives, has ${composition.civilSocietyRepresentatives}`);
  }
  return problems;
}

/**
 * Why a new member cannot be appointed to a term, or null. An appointment is
 * refused when it would make the panel impossible to complete: a second
 * convener, a twelfth member, an eighth agency representative (which would
 * leave fewer than 4 seats for civil society), a fifth civil-society
 * representative (which would leave fewer than 7 for the agencies).
 */
export function appointmentProblem(
  current: readonly { role: PanelRole }[],
  appointee: { role: PanelRole; agencyCode?: string | null },
): string | null {
  if (appointee.role === PanelRole.AGENCY_REPRESENTATIVE && !appointee.agencyCode) return "an agency representative must name the agency represented";
  if (appointee.role === PanelRole.CIVIL_SOCIETY_REPRESENTATIVE && appointee.agencyCode) return "a civil-society representative represents no agency";
  const after = compositionOf([...current, appointee]);
  if (after.conveners > PANEL_RULES.conveners) return "the panel already has its convener";
  if (after.members > PANEL_RULES.members) return `the panel already has its ${PANEL_RULES.members} members`;
  if (after.agencyRepresentatives > PANEL_RULES.agencyRepresentatives) {
    return `the panel already has its ${PANEL_RULES.agencyRepresentatives} agency representatives`;
  }
  const civilSeats = PANEL_RULES.members - PANEL_RULES.agencyRepresentatives;
  if (after.civilSocietyRepresentatives > civilSeats) {
    return `the panel already has its ${civilSeats} civil-society representatives (${PANEL_RULES.members} members less ${PANEL_RULES.agencyRepresentatives} agency representatives)`;
  }
  return null;
}
