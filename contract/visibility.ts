/**
 * Who may see what: one rule per guarded thing, used by the fields that
 * show it and by the events that tell about it, live or replayed. An event
 * kind is seen by exactly those who may read the entity's fields it carries.
 */
import { isInsider } from "./authorization";
import { Role, type Viewer } from "./claims";

/** Who may see a thing of one agency. */
export type Audience = (viewer: Viewer, agencyCode: string) => boolean;

/** Published datasets, their quality, public comments and their published answers, dataset requests. */
export const everyone: Audience = () => true;

/** Drafts, internal review, contacts, reminders: the owning agency's roles and the ministry. */
export const insiders: Audience = isInsider;

/** The data inventory (盤點): its agency, the ministry, and the advisory panel, which reviews it. */
export const inventoryReaders: Audience = (viewer, agencyCode) => isInsider(viewer, agencyCode) || viewer.role === Role.PANEL_MEMBER;

/** The audience of every event kind the shards publish; a kind not listed is seen by insiders only. */
export const EVENT_AUDIENCE: Readonly<Record<string, Audience>> = {
  // catalogue
  DatasetPublished: everyone,
  DatasetUpdated: everyone,
  DatasetRetired: everyone,
  QualityChecked: everyone,
  InventoryItemAdded: inventoryReaders,
  OpennessDecided: inventoryReaders,
  DeIdentificationRecorded: inventoryReaders,
  InventoryItemPublished: inventoryReaders,
  // de-identification scans name columns of files not yet public
  PersonalDataFound: insiders,
  PersonalDataExempted: insiders,
  // feedback: the steps a citizen sees on the comment itself
  FeedbackReceived: everyone,
  ReplyApproved: everyone,
  FeedbackFollowedUp: everyone,
  FeedbackClosed: everyone,
  ReplyDrafted: insiders,
  ReplySubmittedForApproval: insiders,
  ReplyReturned: insiders,
  ReplyDueSoon: insiders,
  ReplyOverdue: insiders,
  // feedback: dataset requests are public records
  DatasetRequestReceived: everyone,
  DatasetRequestReassigned: everyone,
  DatasetRequestAssigned: everyone,
  DatasetRequestTransferred: everyone,
  DatasetRequestClosed: everyone,
};

/**
 * Whether `viewer` may receive an event of `type` from `agencyCode`'s shard:
 * the kind's audience, and an agency's own roles follow their agency's
 * stream only (as the README says; they read other agencies' data as anyone would, by query).
 */
export function mayReceiveEvent(viewer: Viewer, event: { type: string; agencyCode: string }): boolean {
  if (viewer.agencyCode && viewer.agencyCode !== event.agencyCode) return false;
  return (EVENT_AUDIENCE[event.type] ?? insiders)(viewer, event.agencyCode);
}

/**
 * The event kinds `viewer` may receive from `agencyCode`'s shard, for a shard that counts them in SQL (a stream's
 * `recent`): null for every kind, listed or not (the agency's own roles, the ministry), else those listed that
 * mayReceiveEvent allows.
 */
export function eventKindsFor(viewer: Viewer, agencyCode: string): string[] | null {
  const listed = Object.keys(EVENT_AUDIENCE);
  const kinds = listed.filter((type) => mayReceiveEvent(viewer, { type, agencyCode }));
  // A kind not listed is the insiders' (mayReceiveEvent): who may receive one may receive every listed kind too.
  return kinds.length === listed.length && mayReceiveEvent(viewer, { type: "", agencyCode }) ? null : kinds;
}
