/**
 * Running quality checks: one dataset at a time (checkDataset), and all of
 * an agency's published datasets on a persisted schedule with bounded
 * concurrency (the quality-checks job). Every check keeps its history per
 * resource and per dataset and appends a QualityChecked event. A check reads
 * every structured file whole (the personal-data scan), so it is also what
 * notices a file changed since its datastore was loaded, and loads it again.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { startJob, type RunningJob } from "../../../contract/jobs";
import type { Logger } from "../../../contract/logger";
import { databaseLease } from "../../kit/job-lease";
import { aboutSubject, appendAgencyEvent } from "../../kit/outbox";
import type { QualitySettings } from "../context";
import { Dataset, Resource } from "../entities";
import { DatasetCheck, ResourceCheck } from "./entities";
import {
  badgeLevel,
  csvHeader,
  declaredFieldNames,
  encodingMatches,
  fieldsMatch,
  intersect,
  isStructuredFormat,
  isTimely,
  repliesEfficient,
  type BadgeRules,
  type Indicators,
} from "./indicators";
import type { BlockList } from "node:net";
import { probeResource } from "./probe";
import { judgeScans, recordScans, scanResource, type ScanSettings } from "../deidentification/gate";
import { reloadChangedResources } from "../datastore/loading";
import type { ReplyStats } from "./reply-record";

export interface CheckOptions {
  now: Date;
  timeoutMs: number;
  fetchAllowed: BlockList;
  /** How long until the dataset is checked again. */
  periodMs: number;
  badgeRules: BadgeRules;
  /** The agency's feedback record, for reply efficiency (null when unknown). */
  replyStats: ReplyStats;
  scan: ScanSettings;
  /** Where the datastore loads a check starts (files changed since their load) report failures. */
  log: Logger;
}

/** The options of a check run now under the shard's settings. */
export function checkOptions(settings: QualitySettings, replyStats: ReplyStats, log: Logger, now = new Date()): CheckOptions {
  return { now, timeoutMs: settings.timeoutMs, fetchAllowed: settings.fetchAllowed, periodMs: settings.periodMs, badgeRules: settings.badgeRules, replyStats, scan: settings.scan, log };
}

function resourceIndicators(dataset: Dataset, resource: Resource, probe: Awaited<ReturnType<typeof probeResource>>, options: CheckOptions): Indicators {
  const readable = probe.directDownload && probe.head !== null && probe.head.length > 0;
  const declared = resource.fields.length > 0 ? resource.fields.map((field) => field.name) : declaredFieldNames(dataset.fieldDescription ?? "");
  const isCsv = resource.format.trim().toUpperCase() === "CSV";
  return {
    linkValidity: probe.linkValid,
    directDownload: probe.directDownload,
    structuredFormat: isStructuredFormat(resource.format),
    encodingMatch: readable ? encodingMatches(resource.encoding, probe.head!) : null,
    fieldsMatch: readable && isCsv && declared.length > 0 ? fieldsMatch(declared, csvHeader(probe.head!, resource.encoding)) : null,
    timeliness: isTimely(resource.modified ?? dataset.modified, dataset.accrualPeriodicity, options.now),
    replyEfficiency: repliesEfficient(options.replyStats),
  };
}

export async function checkDataset(em: EntityManager, dataset: Dataset, options: CheckOptions): Promise<DatasetCheck> {
  const resources = await em.find(Resource, { dataset: dataset.id }, { orderBy: { position: "asc" } });
  const observed = await Promise.all(
    resources.map(async (resource) => {
      const [probe, scan] = await Promise.all([
        probeResource(resource.downloadUrl, resource.format, { timeoutMs: options.timeoutMs, allowed: options.fetchAllowed }),
        scanResource(resource, options.scan),
      ]);
      return { resource, probe, scan, indicators: resourceIndicators(dataset, resource, probe, options) };
    }),
  );
  const indicators = intersect(observed.map((o) => o.indicators));
  const level = badgeLevel(indicators, options.badgeRules);
  const check = await em.transactional(async (tx) => {
    for (const { resource, probe, indicators: own } of observed) {
      const detail = probe.error ?? `HTTP ${probe.status}${probe.finalUrl && probe.finalUrl !== resource.downloadUrl ? ` from ${probe.finalUrl}` : ""}, ${probe.contentType ?? "no content type"}`;
      tx.persist(tx.create(ResourceCheck, { resourceId: resource.id, datasetId: dataset.id, checkedAt: options.now, indicators: own, detail }));
    }
    const judged = await judgeScans(tx, observed.map((o) => o.scan));
    recordScans(tx, dataset.id, observed.map((o) => o.resource.id), judged, options.now);
    const unexempted = judged.flatMap((scan) => scan?.findings.filter((finding) => !finding.exempted) ?? []);
    if (unexempted.length > 0) {
      // Published before the gate, or changed since: the agency is told, by the event and the resource's scan.
      appendAgencyEvent(tx, "PersonalDataFound", dataset.id, {
        ...aboutSubject(dataset),
        identifier: dataset.identifier,
        findings: unexempted.map(({ column, kind, count }) => ({ column, kind, count })),
      });
    }
    const check = tx.create(DatasetCheck, { datasetId: dataset.id, checkedAt: options.now, level, indicators });
    tx.persist(check);
    await tx.nativeUpdate(Dataset, { id: dataset.id }, { qualityLevel: level, nextQualityCheckAt: new Date(options.now.getTime() + options.periodMs) });
    appendAgencyEvent(tx, "QualityChecked", dataset.id, {
      ...aboutSubject(dataset),
      identifier: dataset.identifier,
      level,
      indicators,
      resources: observed.map((o) => o.indicators),
    });
    return check;
  });
  const read = observed.map(({ resource, scan }) => ({ resource: { id: resource.id, datasetId: dataset.id, downloadUrl: resource.downloadUrl, format: resource.format }, sha256: scan?.report?.sha256 ?? null }));
  await reloadChangedResources(em, read, options.scan, options.log);
  return check;
}

/**
 * A claimed dataset is kept from other passes this long: long enough for any
 * check to finish, short enough that a checker that died mid-check only
 * delays it.
 */
const CLAIM_MS = 3_600_000;
/** Datasets claimed per pass, so each of the `concurrency` workers has a few in turn. */
const CLAIMS_PER_WORKER = 4;

/** Which datasets are due for a check at the instant bound to `?`: published, and their turn has come. */
const DUE_FOR_CHECK = "lifecycle_state = 'PUBLISHED' and next_quality_check_at <= ?";

/** How many datasets wait for their check at `now` (the quality checker's queue). */
export async function countDueChecks(em: EntityManager, now: Date): Promise<number> {
  const [row] = await em.getConnection().execute<{ due: number }[]>(`select count(*)::int as due from dataset where ${DUE_FOR_CHECK}`, [now]);
  return row.due;
}

/**
 * One pass: claims the published datasets whose turn has come
 * (next_quality_check_at) with SKIP LOCKED, moving their turn CLAIM_MS
 * ahead, so that a checker dying mid-pass only delays them; then checks them
 * `concurrency` at a time. Of several replicas of the shard, the holder of
 * the job's lease runs the passes.
 */
export async function checkDueDatasets(orm: MikroORM, agencyCode: string, settings: QualitySettings, log: Logger, now: Date): Promise<number> {
  const due = await orm.em.fork().getConnection().execute<{ id: string }[]>(
    `update dataset set next_quality_check_at = ?
     where id in (select id from dataset where ${DUE_FOR_CHECK}
                  order by next_quality_check_at limit ? for update skip locked)
     returning id`,
    [new Date(now.getTime() + CLAIM_MS), now, settings.concurrency * CLAIMS_PER_WORKER],
  );
  if (due.length === 0) return 0;
  const replyStats = await settings.replyRecord(agencyCode, log);
  const queue = [...due];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const fork = orm.em.fork();
      const dataset = await fork.findOneOrFail(Dataset, { id: next.id });
      await checkDataset(fork, dataset, checkOptions(settings, replyStats, log));
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  log.info({ checked: due.length }, "quality checks done");
  return due.length;
}

export function startQualityChecks(orm: MikroORM, agencyCode: string, settings: QualitySettings, log: Logger): RunningJob {
  return startJob({
    name: "quality-checks",
    intervalMs: settings.intervalMs,
    lease: databaseLease(orm),
    run: async (now) => void (await checkDueDatasets(orm, agencyCode, settings, log, now)),
    log,
  });
}
