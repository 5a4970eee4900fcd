/**
 * The panel's meetings as plain functions: who makes a quorum, and where a
 * resolution stands on a given day (so each later meeting can follow it up).
 */
import { notYetProblem } from "../kit/days";

export enum ResolutionStatus {
  OPEN = "OPEN",
  DONE = "DONE",
  OVERDUE = "OVERDUE",
}

/** Seated on a day: appointed by then and not yet gone. */
export function isSeatedOn(member: { appointedOn: string; leftOn?: string | null }, day: string): boolean {
  return member.appointedOn <= day && (!member.leftOn || member.leftOn > day);
}

/** Why what happened at a meeting (attendance, minutes, resolutions, reviews, the strategy approved, the report sent) cannot be recorded today, or null: from the meeting's day on only. */
export function notYetHeldProblem(heldOn: string, today: string): string | null {
  return today < heldOn ? `the meeting is on ${heldOn}; what happened at it is recorded from that day on` : null;
}

/** Why a day cannot be recorded for a meeting's business (a resolution due or done, a report sent), or null: not before the meeting, and, for what is already done (given today), not after today. */
export function meetingDayProblem(day: string, heldOn: string, today?: string): string | null {
  if (day < heldOn) return `is before the meeting (${heldOn})`;
  return today ? notYetProblem(day, today) : null;
}

/**
 * Why a meeting's minutes cannot become this text, or null. Published minutes
 * are the public record of the meeting (the public has read them, and its
 * resolutions with them): they stay as published; a correction is for a later
 * meeting's minutes. The same text sent again changes nothing.
 */
export function minutesChangeProblem(meeting: { heldOn: string; minutes?: string | null; minutesPublished: boolean }, minutes: string): string | null {
  return meeting.minutesPublished && meeting.minutes !== minutes ? `the minutes of ${meeting.heldOn} are published and stay as published` : null;
}

export interface Quorum {
  seated: number;
  required: number;
  present: number;
  met: boolean;
}

/** A meeting is quorate when more than half of the members seated that day (the convener included) attend. */
export function quorumOf(seated: number, present: number): Quorum {
  const required = Math.floor(seated / 2) + 1;
  return { seated, required, present, met: present >= required };
}

/** Where a resolution stands on a day (YYYY-MM-DD): done by then, past its due day, or open. */
export function resolutionStatusOn(resolution: { dueOn?: string | null; doneOn?: string | null }, day: string): ResolutionStatus {
  if (resolution.doneOn && resolution.doneOn <= day) return ResolutionStatus.DONE;
  if (resolution.dueOn && resolution.dueOn < day) return ResolutionStatus.OVERDUE;
  return ResolutionStatus.OPEN;
}

/**
 * The resolutions a meeting follows up: those adopted at earlier meetings
 * (`adoptedOn` gives the day of a resolution's meeting) and not done before
 * this one, each with its status on the meeting's day.
 */
export function followUpsAt<R extends { dueOn?: string | null; doneOn?: string | null }>(
  resolutions: readonly R[],
  adoptedOn: (resolution: R) => string,
  heldOn: string,
): { resolution: R; status: ResolutionStatus }[] {
  return resolutions
    .filter((resolution) => adoptedOn(resolution) < heldOn && !(resolution.doneOn && resolution.doneOn < heldOn))
    .map((resolution) => ({ resolution, status: resolutionStatusOn(resolution, heldOn) }));
}

/** The inventory item a consultation asks about (strategy 3): the one inventory item subject of a CONSULTATION agenda item. */
export function consultedItemOf(
  item: { kind: string },
  subjects: readonly { kind: string; agencyCode: string; entityId?: string | null }[],
): { agencyCode: string; id: string } | null {
  if (item.kind !== "CONSULTATION") return null;
  const inventory = subjects.filter((subject) => subject.kind === "INVENTORY_ITEM" && subject.entityId);
  return inventory.length === 1 ? { agencyCode: inventory[0].agencyCode, id: inventory[0].entityId! } : null;
}
