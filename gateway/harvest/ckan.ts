/**
 * GovGraph's catalogue in CKAN's words (plain functions over data): agencies
 * as organizations, datasets as package dicts (the metadata standard's
 * fields that CKAN has no place for go in `extras`), and what
 * package_search's parameters ask for, read the way CKAN's own harvester
 * sends them (q, fq with organization:, -organization:, res_format: and
 * metadata_modified:[… TO *], rows, start, sort).
 */
import { AGENCIES, agencyByCode, type AgencyEntry } from "../../contract/agencies";
import type { DatasetOrder, DatasetQuery, HarvestDataset } from "./catalogue";
import type { DcatIris } from "./dcat";
import { formatIris, isHttpUrl, knownLicense } from "./vocabularies";

/**
 * A CKAN name (lower-case letters, digits, - and _) for a national
 * identifier: A41000000G-000001 → a41000000g-000001. package_show finds the
 * dataset again by the name upper-cased, as national identifiers are written.
 */
export function packageName(identifier: string): string {
  return identifier.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
}

/** Identifiers a package_show id may stand for: itself (an identifier given as it is) and, for a name, its upper-case form. */
export function identifiersFor(id: string): string[] {
  return [...new Set([id, id.toUpperCase()])];
}

export const organizationName = (code: string) => code.toLowerCase();

export function organizationByName(name: string): AgencyEntry | undefined {
  return AGENCIES.find((agency) => organizationName(agency.code) === name.toLowerCase() || agency.oid === name);
}

export interface CkanOrganization {
  id: string;
  name: string;
  title: string;
  display_name: string;
  description: string;
  image_url: string;
  type: "organization";
  is_organization: true;
  state: "active";
  approval_status: "approved";
  package_count?: number;
}

export function organizationDict(agency: AgencyEntry): CkanOrganization {
  return {
    id: agency.oid,
    name: organizationName(agency.code),
    title: agency.name,
    display_name: agency.name,
    description: agency.nameEn,
    image_url: "",
    type: "organization",
    is_organization: true,
    state: "active",
    approval_status: "approved",
  };
}

/** CKAN writes instants in UTC without a zone and with microseconds: 2018-01-15T00:00:00.000000. */
export function ckanTimestamp(instant: string): string {
  return new Date(instant).toISOString().replace(/\.(\d{3})Z$/, ".$1000");
}

/** A calendar day (Asia/Taipei) as the instant it starts, in CKAN's form. */
const dayStart = (day: string) => ckanTimestamp(`${day}T00:00:00+08:00`);

const extra = (key: string, value: string | null | undefined) => (value ? [{ key, value }] : []);

export function packageDict(dataset: HarvestDataset, iris: DcatIris) {
  const agency = agencyByCode(dataset.agencyCode);
  const license = knownLicense(dataset.license);
  const created = dayStart(dataset.issued);
  return {
    id: dataset.id,
    name: packageName(dataset.identifier),
    title: dataset.title,
    notes: dataset.description,
    url: isHttpUrl(dataset.landingPage) ? dataset.landingPage : iris.page(dataset),
    version: null,
    type: "dataset",
    state: "active",
    private: false,
    isopen: license?.open ?? false,
    license_id: license?.id ?? dataset.license,
    license_title: dataset.license,
    license_url: license?.url ?? (isHttpUrl(dataset.license) ? dataset.license : undefined),
    author: dataset.organization ?? agency?.name ?? dataset.agencyCode,
    author_email: null,
    maintainer: dataset.contactName,
    maintainer_email: null,
    metadata_created: created,
    metadata_modified: ckanTimestamp(dataset.modified),
    owner_org: agency?.oid ?? dataset.agencyCode,
    organization: agency ? organizationDict(agency) : null,
    num_tags: dataset.keywords.length,
    tags: dataset.keywords.map((keyword) => ({ name: keyword, display_name: keyword, state: "active", vocabulary_id: null })),
    groups: [],
    relationships_as_object: [],
    relationships_as_subject: [],
    num_resources: dataset.resources.length,
    resources: dataset.resources.map((resource, position) => ({
      id: resource.id,
      package_id: dataset.id,
      position,
      name: resource.description,
      description: resource.description,
      format: resource.format,
      mimetype: formatIris(resource.format)?.mimeType ?? null,
      url: resource.downloadUrl,
      url_type: null,
      state: "active",
      created,
      last_modified: resource.modified ? ckanTimestamp(resource.modified) : null,
      resource_id: resource.resourceId,
      encoding: resource.encoding,
      size_declared: resource.size,
      fields: resource.fields,
    })),
    // The metadata standard's fields with no CKAN counterpart, under their v1 API names (but for `type` and `notes`,
    // which are CKAN's own fields: CKAN refuses an extra named like one).
    extras: [
      { key: "identifier", value: dataset.identifier },
      { key: "category", value: dataset.category },
      { key: "datasetType", value: dataset.type === "SERVICE" ? "service" : "rawData" },
      { key: "accrualPeriodicity", value: dataset.accrualPeriodicity },
      { key: "issued", value: dataset.issued },
      { key: "modified", value: dataset.modified },
      { key: "dcat_uri", value: iris.dataset(dataset) },
      ...extra("publisherOID", agency?.oid),
      ...extra("providerAttribute", dataset.providerAttribute),
      ...extra("fieldDescription", dataset.fieldDescription),
      ...extra("cost", dataset.cost),
      ...extra("costURL", dataset.costUrl),
      ...extra("costLaw", dataset.costLaw),
      ...extra("contactPhone", dataset.contactPhone),
      ...extra("temporalCoverageFrom", dataset.temporalCoverageFrom),
      ...extra("temporalCoverageTo", dataset.temporalCoverageTo),
      ...extra("spatial", dataset.spatial),
      ...extra("language", dataset.language),
      ...extra("qualityBadge", dataset.quality?.level),
      ...extra("remarks", dataset.notes),
    ],
  };
}

export type CkanPackage = ReturnType<typeof packageDict>;

/** A refusal in CKAN's words: its error type and HTTP status. */
export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: "Not Found Error" | "Validation Error" | "Search Query Error" | "Bad request" | "Service Unavailable" | "Internal Server Error",
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { __type: this.type, message: this.message, ...this.fields };
  }
}

export interface PackageSearch {
  query: DatasetQuery;
  /** Only datasets modified at or after this instant (metadata_modified:[since TO *]). */
  modifiedSince?: string;
  rows: number;
  start: number;
  sort: string;
}

/** CKAN's default page and its largest (ckan.search.rows_max). */
export const DEFAULT_ROWS = 10;
export const MAX_ROWS = 1000;

/** CKAN sorts → the connection's orders. A harvester's `id asc` only needs a stable order: the oldest first. */
const SORTS: Record<string, DatasetOrder> = {
  "score desc, metadata_modified desc": "MODIFIED_DESC",
  "metadata_modified desc": "MODIFIED_DESC",
  "metadata_created desc": "PUBLISHED_DESC",
  "metadata_created asc": "PUBLISHED_ASC",
  "id asc": "PUBLISHED_ASC",
  "name asc": "TITLE_ASC",
  "title_string asc": "TITLE_ASC",
};

/** A whole-number parameter from 0 to `max`, refused under the name the client sent it by. */
export function integerParam(name: string, raw: unknown, fallback: number, max: number): number {
  if (raw === undefined || raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new CkanError(409, "Validation Error", `${name} must be an integer from 0 to ${max}`, { [name]: [`Must be an integer from 0 to ${max}`] });
  return value;
}

/** fq terms GovGraph can answer; anything else is refused rather than ignored, so a harvester never gets a wider set than it asked for. */
function readFilters(fq: string): { include?: string[]; exclude: string[]; format?: string; modifiedSince?: string } {
  const filters: ReturnType<typeof readFilters> = { exclude: [] };
  const terms = fq.match(/[+-]?[\w.]+:(\[[^\]]*\]|"[^"]*"|\S+)|\bOR\b|\bAND\b|\S+/g) ?? [];
  for (const term of terms) {
    if (term === "OR" || term === "AND") continue;
    const match = /^([+-]?)([\w.]+):(.*)$/.exec(term);
    if (!match) throw new CkanError(400, "Search Query Error", `fq term "${term}" is not field:value`);
    const [, sign, field, rawValue] = match;
    const value = rawValue.replace(/^"(.*)"$/, "$1");
    if ((field === "organization" || field === "owner_org") && sign !== "-") {
      const agency = organizationByName(value);
      // An unknown organization matches nothing, as in CKAN.
      filters.include = [...(filters.include ?? []), ...(agency ? [agency.code] : [])];
    } else if ((field === "organization" || field === "owner_org") && sign === "-") {
      const agency = organizationByName(value);
      if (agency) filters.exclude.push(agency.code);
    } else if (field === "res_format" && sign !== "-") {
      filters.format = value;
    } else if (field === "metadata_modified" && sign !== "-") {
      const range = /^\[(\S+) TO \*\]$/.exec(value);
      const since = range && new Date(range[1]);
      if (!since || Number.isNaN(since.getTime())) throw new CkanError(400, "Search Query Error", `metadata_modified takes [<instant> TO *], got ${value}`);
      filters.modifiedSince = since.toISOString();
    } else if ((field === "dataset_type" && value === "dataset") || (field === "state" && value === "active") || (field === "capacity" && value === "public")) {
      continue;
    } else {
      throw new CkanError(
        400,
        "Search Query Error",
        `fq "${term}" is not supported here: use organization:<name> (or -organization:), res_format:<format>, metadata_modified:[<instant> TO *]`,
      );
    }
  }
  return filters;
}

/** package_search's parameters (from the query string or a JSON body) as a walk of the catalogue, whose agencies are `every`. */
export function readPackageSearch(params: Record<string, unknown>, every: readonly string[]): PackageSearch {
  const q = String(params.q ?? "").trim();
  const sort = String(params.sort ?? "score desc, metadata_modified desc").trim().replace(/\s+/g, " ");
  const filters = readFilters(String(params.fq ?? ""));
  const orderBy = SORTS[sort];
  if (!orderBy) throw new CkanError(409, "Validation Error", `sort must be one of: ${Object.keys(SORTS).join("; ")}`, { sort: [`Unsupported sort: ${sort}`] });
  const included = filters.include ?? (filters.exclude.length > 0 ? every : undefined);
  const agencyCodes = included?.filter((code) => !filters.exclude.includes(code));
  return {
    query: {
      // A walk since an instant runs newest first, so it stops at the first older dataset.
      orderBy: filters.modifiedSince ? "MODIFIED_DESC" : orderBy,
      ...(q && q !== "*:*" ? { search: q } : {}),
      ...(filters.format ? { format: filters.format } : {}),
      ...(agencyCodes ? { agencyCodes } : {}),
    },
    ...(filters.modifiedSince ? { modifiedSince: filters.modifiedSince } : {}),
    rows: integerParam("rows", params.rows, DEFAULT_ROWS, MAX_ROWS),
    start: integerParam("start", params.start, 0, Number.MAX_SAFE_INTEGER),
    sort,
  };
}
