/**
 * Who sees and writes what of the panel's record (issue 9, item 8), in one
 * place. The ministry's administrators manage the panel; panel members read
 * all of it and remark on reviews; an agency reads its own reviews and the
 * resolutions it owns, and updates their status; the public reads published
 * minutes, the resolutions of published meetings and the strategy's versions.
 */
import { requireRole } from "../../contract/authorization";
import { Role, type Viewer } from "../../contract/claims";
import { forbidden, notFound } from "../../contract/errors";

/** Reads the whole record: agendas, attendance, every review and resolution. */
export function isPanelReader(viewer: Viewer): boolean {
  return viewer.role === Role.MINISTRY_ADMIN || viewer.role === Role.PANEL_MEMBER;
}

/** Only agency roles carry an agency code (contract/claims.ts). */
const isOfAgency = (viewer: Viewer, agencyCode: string | null | undefined) => Boolean(agencyCode) && viewer.agencyCode === agencyCode;

export function requirePanelReader(viewer: Viewer, what: string): void {
  if (!isPanelReader(viewer)) throw forbidden(`${what} is shown to the ministry and the panel's members only.`);
}

export function requirePanelManager(viewer: Viewer, action: string): void {
  requireRole(viewer, [Role.MINISTRY_ADMIN], action);
}

export function canSeeMinutes(viewer: Viewer, meeting: { minutesPublished: boolean }): boolean {
  return meeting.minutesPublished || isPanelReader(viewer);
}

export function canSeeReview(viewer: Viewer, review: { agencyCode: string }): boolean {
  return isPanelReader(viewer) || isOfAgency(viewer, review.agencyCode);
}

/** Reviews at all: an agency sees its own, the panel all; the public none. */
export function requireReviewReader(viewer: Viewer): void {
  if (!isPanelReader(viewer) && !viewer.agencyCode) throw forbidden("Reviews are shown to the ministry, the panel and each reviewed agency only.");
}

export function canSeeResolution(viewer: Viewer, resolution: { ownerAgencyCode?: string | null }, meeting: { minutesPublished: boolean }): boolean {
  return meeting.minutesPublished || isPanelReader(viewer) || isOfAgency(viewer, resolution.ownerAgencyCode);
}

/**
 * The owning agency's staff and CIO, and the ministry's administrators, set a
 * resolution's status. To a viewer who may not read it, the resolution is not
 * found, as an unknown one: a refusal naming its owner would confirm it.
 */
export function requireResolutionOwner(
  viewer: Viewer,
  resolution: { id: string; ownerAgencyCode?: string | null },
  meeting: { minutesPublished: boolean },
): void {
  if (viewer.role === Role.MINISTRY_ADMIN) return;
  if (isOfAgency(viewer, resolution.ownerAgencyCode)) return;
  if (!canSeeResolution(viewer, resolution, meeting)) throw notFound(`Panel resolution ${resolution.id}`);
  throw forbidden(
    resolution.ownerAgencyCode
      ? `Only ${resolution.ownerAgencyCode}'s staff and the ministry update this resolution; you are ${viewer.role}${viewer.agencyCode ? ` of ${viewer.agencyCode}` : ""}.`
      : "Only the ministry updates a resolution no agency owns.",
  );
}

export function requireRemarker(viewer: Viewer): void {
  requireRole(viewer, [Role.PANEL_MEMBER, Role.MINISTRY_ADMIN], "record remarks on reviews");
}
