/**
 * Authorization rules every subgraph applies to the verified viewer. Plain
 * functions: they return nothing or throw FORBIDDEN with a reason a person can act on.
 */
import { Role, type Viewer } from "./claims";
import { forbidden } from "./errors";

export function requireRole(viewer: Viewer, roles: readonly Role[], action: string): void {
  if (!roles.includes(viewer.role)) {
    throw forbidden(`Only ${roles.join(" or ")} may ${action}; you are ${viewer.role}.`);
  }
}

/** Staff and CIOs write only their own agency's shard; the ministry's administrators may write any. */
export function requireAgencyWriter(viewer: Viewer, agencyCode: string, action: string): void {
  if (viewer.role === Role.MINISTRY_ADMIN) return;
  requireRole(viewer, [Role.AGENCY_STAFF, Role.AGENCY_CIO, Role.MINISTRY_ADMIN], action);
  if (viewer.agencyCode !== agencyCode) {
    throw forbidden(`You may ${action} for ${viewer.agencyCode} only, not for ${agencyCode}.`);
  }
}

/** Decisions the ministry's rules leave to the agency's CIO alone (approving a reply, exempting a file from de-identification): not its staff, not the ministry. */
export function requireAgencyCio(viewer: Viewer, agencyCode: string, action: string): void {
  requireRole(viewer, [Role.AGENCY_CIO], action);
  if (viewer.agencyCode !== agencyCode) throw forbidden(`Only ${agencyCode}'s CIO may ${action}; you are the CIO of ${viewer.agencyCode}.`);
}

/** The owning agency's own roles and the ministry: they see drafts, contacts and every state; others see what is public. */
export function isInsider(viewer: Viewer, agencyCode: string): boolean {
  return viewer.role === Role.MINISTRY_ADMIN || (viewer.agencyCode === agencyCode && viewer.role !== Role.PUBLIC);
}
