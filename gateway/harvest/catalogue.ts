/**
 * The catalogue as the harvest routes read it: through the gateway's own
 * execution (every plugin, limit and shard policy applies), as an anonymous
 * caller, so a harvester gets exactly what the public sees (published
 * datasets only) and never more. Whole catalogues are walked with the
 * fanned-out `datasets` connection, one keyset page at a time.
 *
 * A shard that cannot answer fails the read (HarvestReadError naming it):
 * a harvester given a catalogue without one agency would take that agency's
 * datasets as deleted.
 */
import type { GraphQLErrorLike } from "../../contract/system-client";

/** One operation through the gateway, as an anonymous caller. */
export type GraphExecutor = (query: string, variables: Record<string, unknown>) => Promise<{ data?: unknown; errors?: GraphQLErrorLike[] }>;

export interface HarvestResource {
  id: string;
  resourceId: string;
  description: string;
  format: string;
  encoding: string;
  downloadUrl: string;
  size: string | null;
  modified: string | null;
  fields: { name: string; description: string | null }[];
}

export interface HarvestDataset {
  id: string;
  agencyCode: string;
  identifier: string;
  title: string;
  description: string;
  category: string;
  type: "RAW_DATA" | "SERVICE";
  license: string;
  accrualPeriodicity: string;
  issued: string;
  modified: string;
  providerAttribute: string | null;
  fieldDescription: string | null;
  organization: string | null;
  landingPage: string | null;
  cost: string | null;
  costUrl: string | null;
  costLaw: string | null;
  contactName: string | null;
  contactPhone: string | null;
  notes: string | null;
  temporalCoverageFrom: string | null;
  temporalCoverageTo: string | null;
  spatial: string | null;
  language: string | null;
  keywords: string[];
  quality: { level: string } | null;
  resources: HarvestResource[];
}

const DATASET_FIELDS = `id agencyCode identifier title description category type license accrualPeriodicity issued modified
  providerAttribute fieldDescription organization landingPage cost costUrl costLaw contactName contactPhone notes
  temporalCoverageFrom temporalCoverageTo spatial language keywords quality { level }
  resources { id resourceId description format encoding downloadUrl size modified fields { name description } }`;

const PAGE = `query HarvestDatasets($first: Int!, $after: String, $orderBy: DatasetOrder!, $search: String, $format: String, $agencyCodes: [ID!]) {
  datasets(first: $first, after: $after, orderBy: $orderBy, state: PUBLISHED, search: $search, format: $format, agencyCodes: $agencyCodes) {
    totalCount edges { node { ${DATASET_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

const BY_IDENTIFIER = `query HarvestDatasetByIdentifier($identifiers: [String!]!) { datasetsByIdentifier(identifiers: $identifiers) { ${DATASET_FIELDS} } }`;

/** The connection's orders (DatasetOrder): ties are broken by the national identifier. */
export type DatasetOrder = "PUBLISHED_DESC" | "PUBLISHED_ASC" | "TITLE_ASC" | "MODIFIED_DESC";

export interface DatasetQuery {
  orderBy: DatasetOrder;
  /** Title or description contains it. */
  search?: string;
  /** A resource in this format. */
  format?: string;
  /** Only these agencies (default every agency). */
  agencyCodes?: string[];
}

export interface DatasetPage {
  totalCount: number;
  datasets: HarvestDataset[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The connection's largest page. */
export const MAX_PAGE = 100;

export class HarvestReadError extends Error {
  constructor(readonly errors: GraphQLErrorLike[]) {
    super(
      errors
        .map((error) =>
          error.extensions?.code === "SHARD_UNAVAILABLE" ? `the catalogue of ${String(error.extensions.agencyCode)} cannot be read now` : error.message,
        )
        .join("; "),
    );
  }

  /** Whether the failure is a shard's (try again later) rather than the request's. */
  get unavailable(): boolean {
    return this.errors.some((error) => error.extensions?.code === "SHARD_UNAVAILABLE");
  }
}

async function read<T>(execute: GraphExecutor, query: string, variables: Record<string, unknown>): Promise<T> {
  const result = await execute(query, variables);
  if (result.errors?.length || !result.data) throw new HarvestReadError(result.errors ?? [{ message: "the gateway gave no data" }]);
  return result.data as T;
}

export class CatalogueReader {
  constructor(private readonly execute: GraphExecutor) {}

  /** One keyset page of published datasets. */
  async page(query: DatasetQuery, first: number, after: string | null): Promise<DatasetPage> {
    type Answer = { datasets: { totalCount: number; edges: { node: HarvestDataset }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const { datasets } = await read<Answer>(this.execute, PAGE, { ...query, first: Math.min(first, MAX_PAGE), after });
    return { totalCount: datasets.totalCount, datasets: datasets.edges.map((edge) => edge.node), hasNextPage: datasets.pageInfo.hasNextPage, endCursor: datasets.pageInfo.endCursor };
  }

  /** Every page from `after` on, each fetched only when the previous one has been consumed. */
  async *pages(query: DatasetQuery, after: string | null = null, pageSize = MAX_PAGE): AsyncGenerator<DatasetPage> {
    let cursor = after;
    for (;;) {
      const page = await this.page(query, pageSize, cursor);
      yield page;
      if (!page.hasNextPage || !page.endCursor) return;
      cursor = page.endCursor;
    }
  }

  /**
   * Every page of these agencies' catalogues, one agency after the other. A
   * fanned-out page of n datasets reads n from every shard to merge them;
   * a walk that needs no order across agencies reads each dataset once.
   */
  async *agencyByAgency(query: DatasetQuery, agencyCodes: readonly string[]): AsyncGenerator<DatasetPage> {
    for (const code of agencyCodes) yield* this.pages({ ...query, agencyCodes: [code] });
  }

  /** Published datasets with one of these national identifiers, from every agency. */
  async byIdentifiers(identifiers: string[]): Promise<HarvestDataset[]> {
    if (identifiers.length === 0) return [];
    return (await read<{ datasetsByIdentifier: HarvestDataset[] }>(this.execute, BY_IDENTIFIER, { identifiers })).datasetsByIdentifier;
  }

  /** A published dataset by GovGraph's id: the id names no agency, so every agency is asked in one operation. */
  async byId(id: string, agencyCodes: readonly string[]): Promise<HarvestDataset | null> {
    const fields = agencyCodes.map((code, i) => `a${i}: dataset(agencyCode: ${JSON.stringify(code)}, id: $id) { ${DATASET_FIELDS} }`).join("\n");
    const answer = await read<Record<string, HarvestDataset | null>>(this.execute, `query HarvestDatasetById($id: ID!) {\n${fields}\n}`, { id });
    return Object.values(answer).find((dataset) => dataset !== null) ?? null;
  }
}
