/**
 * The agency directory: the ministry and its subordinate agencies, each with
 * GovGraph's short code (the shard key of every agency subgraph), its names
 * and its OID in the government registry. schema/agencies.json is the one
 * source; everything that needs a code, a name, an OID or the directory's
 * order reads it through this module.
 */
import directory from "../schema/agencies.json";
import type { FieldProblem } from "./errors";

export interface AgencyEntry {
  code: string;
  name: string;
  nameEn: string;
  /** Identifier in the government OID registry, kept exactly as registered. */
  oid: string;
}

/** Directory order: the ministry first, then its agencies by OID. */
export const AGENCIES: readonly AgencyEntry[] = directory.agencies;

export const AGENCY_CODES: readonly string[] = AGENCIES.map((agency) => agency.code);

/** The ministry itself (法務部), the directory's first entry: it publishes the catalogue, and its own scope holds every agency. */
export const MINISTRY: AgencyEntry = AGENCIES[0];

const byCode = new Map(AGENCIES.map((agency, position) => [agency.code, { agency, position }]));

export function isAgencyCode(code: unknown): code is string {
  return typeof code === "string" && byCode.has(code);
}

export function agencyByCode(code: string): AgencyEntry | undefined {
  return byCode.get(code)?.agency;
}

/**
 * Orders agency codes as the directory does; codes outside it come last, in
 * byte order. Routing tables, fanned-out lists and merged pages all use it,
 * so ties between shards break the same way everywhere.
 */
export function compareAgencyCodes(a: string, b: string): number {
  const order = (code: string) => byCode.get(code)?.position ?? Number.MAX_SAFE_INTEGER;
  return order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The codes of a list that no agency of the directory has, named with the directory's own, as one problem at `path`:
 * a filter by them would match nothing, and a person reading "[]" would take them for agencies with nothing.
 */
export function unknownAgencyCodes(codes: readonly string[] | null | undefined, path: string): FieldProblem[] {
  const unknown = (codes ?? []).filter((code) => !isAgencyCode(code));
  if (unknown.length === 0) return [];
  const named = unknown.map((code) => JSON.stringify(code)).join(", ");
  const verb = unknown.length === 1 ? "is not the code of an agency" : "are not codes of agencies";
  return [{ path, reason: `${named} ${verb} in the directory (${AGENCY_CODES.join(", ")})` }];
}
