/**
 * Writing a dataset from its standard metadata: one function for the
 * registerDataset mutation and the import of the platform's dataset list,
 * so both store the same thing for the same input, in the platform's
 * spelling. Resources are replaced
 * as a whole and numbered as the platform numbers them (identifier-001…).
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { badUserInput, ErrorCode, govError } from "../../contract/errors";
import { appendAgencyEvent, type AgencyEventPayload } from "../kit/outbox";
import { todayInTaipei } from "../kit/days";
import { Dataset, DEFAULT_LICENSE, LifecycleState, Resource } from "./entities";
import { metadataProblems } from "./domain";
import type { RegisterDatasetInput } from "./inputs";
import { assertPublishable, judgeScans, recordScans, type ResourceScan } from "./deidentification/gate";

export function resourceId(identifier: string, position: number): string {
  return `${identifier}-${String(position + 1).padStart(3, "0")}`;
}

/** The fields given a value: an explicit null in an input means none, as if the field were left out. */
function given<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined && value !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

/**
 * Creates the dataset, or updates `existing` in place; appends DatasetPublished or DatasetUpdated.
 * `input` is in the platform's spelling (inPlatformSpelling), as its callers scanned and checked it.
 */
export async function writeDataset(em: EntityManager, input: RegisterDatasetInput, existing?: Dataset | null): Promise<Dataset> {
  const { resources, license, modified, issued, ...fields } = input;
  const values = {
    ...given(fields),
    license: license ?? DEFAULT_LICENSE,
    issued: issued ?? todayInTaipei(),
    modified: modified ?? new Date(),
  } as Partial<Dataset>;
  const dataset = existing ?? em.create(Dataset, { ...values, lifecycleState: LifecycleState.PUBLISHED } as never);
  if (existing) {
    em.assign(existing, values);
    // Old resources go first, at once (the new ones reuse their national resource ids).
    await em.nativeDelete(Resource, { dataset: existing.id });
  }
  resources.forEach((resource, position) => {
    dataset.resources.add(em.create(Resource, { ...given(resource), dataset, resourceId: resourceId(input.identifier, position), position }));
  });
  em.persist(dataset);
  appendDatasetEvent(em, existing ? "DatasetUpdated" : "DatasetPublished", dataset);
  return dataset;
}

/** What a dataset's lifecycle events say of it (datasetEventPayload). */
export type ListedDataset = Pick<
  Dataset,
  "agencyCode" | "identifier" | "issued" | "retiredOn" | "title" | "description" | "category" | "keywords" | "modified" | "lifecycleState"
>;

/**
 * The one shape of a dataset's lifecycle events (DatasetPublished, DatasetUpdated, DatasetRetired):
 * its days travel with it, so a reader of the history alone (metrics) can count openings and retirements by day,
 * and so do its listing fields after the write, so metrics' ministry-wide index lists and searches it without
 * asking the shard. Resource formats travel when the writer knows them (publish, update); an event
 * without them leaves the indexed formats as they were.
 */
export function datasetEventPayload(dataset: ListedDataset, formats?: readonly string[]): AgencyEventPayload {
  return {
    agencyCode: dataset.agencyCode,
    identifier: dataset.identifier,
    issued: dataset.issued,
    retiredOn: dataset.retiredOn ?? null,
    title: dataset.title,
    description: dataset.description,
    category: dataset.category,
    keywords: dataset.keywords,
    modified: dataset.modified.toISOString(),
    lifecycleState: dataset.lifecycleState,
    ...(formats ? { formats } : {}),
  };
}

/** Appends a lifecycle event of `dataset`, with its resources' formats when the write loaded them. */
export function appendDatasetEvent(
  em: EntityManager,
  type: "DatasetPublished" | "DatasetUpdated" | "DatasetRetired",
  dataset: Dataset,
  extra: Record<string, unknown> = {},
): void {
  const formats = dataset.resources.isInitialized() ? [...new Set(dataset.resources.getItems().map((resource) => resource.format.toUpperCase()))] : undefined;
  appendAgencyEvent(em, type, dataset.id, { ...datasetEventPayload(dataset, formats), ...extra });
}

/**
 * Publishes a new dataset from a mutation's input found at `at` ("input",
 * "input.dataset"), in the platform's spelling: refused with the offending
 * fields' paths when the metadata rules fail (BAD_USER_INPUT) or the
 * identifier is taken (CONFLICT), and when its files, scanned beforehand
 * (`scans`, in resource order), hold personal data no exemption covers
 * (PERSONAL_DATA_FOUND). The scans are kept.
 */
export async function publishDataset(tx: EntityManager, input: RegisterDatasetInput, at: string, scans: readonly (ResourceScan | null)[]): Promise<Dataset> {
  const problems = metadataProblems(input, at, todayInTaipei());
  if (problems.length > 0) throw badUserInput(problems);
  if (await tx.count(Dataset, { identifier: input.identifier })) {
    throw govError(ErrorCode.CONFLICT, `A dataset with identifier ${input.identifier} already exists: give this one an identifier of its own. To replace that dataset, publish this one under a new identifier, then retire ${input.identifier} with mergedInto naming it (retireDataset).`, {
      fields: [{ path: `${at}.identifier`, reason: "is already used" }],
    });
  }
  const judged = await judgeScans(tx, scans);
  assertPublishable(input.identifier, judged, at);
  const dataset = await writeDataset(tx, input);
  recordScans(tx, dataset.id, dataset.resources.getItems().map((resource) => resource.id), judged, new Date());
  return dataset;
}
