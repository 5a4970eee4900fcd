import { randomUUID } from "node:crypto";

/**
 * GovGraph's own identifiers are random UUIDs, generated where the row is
 * created. National identifiers (dataset identifiers, OIDs) are separate
 * fields and are kept exactly as given.
 */
export function newId(): string {
  return randomUUID();
}
