/**
 * Running quality checks: one dataset at a time (checkDataset), and all of
 * an agency's published datasets on a persisted schedule with bounded
 * concurrency (startQualityScheduler). Every check keeps its history per
 * resource and per dataset and appends a QualityChecked event.
 */
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { loadTopology } from "../../../contract/topology";
import { CLAIMS_HEADER, Role, signClaims, SYSTEM_SUBJECTS } from "../../../contract/claims";
import { config, loadSecrets } from "../../../contract/config";
import type { Logger } from "../../../contract/logger";
import { appendEvent } from "../../kit/outbox";
import { Dataset, Resource } from "../entities";
import { DatasetCheck, ResourceCheck } from "./entities";
import {
  badgeLevel,
  badgeRules,
  csvHeader,
  declaredFieldNames,
  encodingMatches,
  fieldsMatch,
  intersect,
  isStructuredFormat,
  isTimely,
  repliesEfficient,
  type Indicators,
} from "./indicators";
import { probeResource } from "./probe";

export type ReplyStats = { answered: number; answeredOnTime: number; overdue: number } | null;

export interface CheckOptions {
  now: Date;
  timeoutMs: number;
  /** The agency's feedback record, for reply efficiency (null when unknown). */
  replyStats: ReplyStats;
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
      const probe = await probeResource(resource.downloadUrl, resource.format, { timeoutMs: options.timeoutMs });
      return { resource, probe, indicators: resourceIndicators(dataset, resource, probe, options) };
    }),
  );
  const indicators = intersect(observed.map((o) => o.indicators));
  const level = badgeLevel(indicators, badgeRules);
  return em.transactional(async (tx) => {
    for (const { resource, probe, indicators: own } of observed) {
      const detail = probe.error ?? `HTTP ${probe.status}${probe.finalUrl && probe.finalUrl !== resource.downloadUrl ? ` from ${probe.finalUrl}` : ""}, ${probe.contentType ?? "no content type"}`;
      tx.persist(tx.create(ResourceCheck, { resourceId: resource.id, datasetId: dataset.id, checkedAt: options.now, indicators: own, detail }));
    }
    const check = tx.create(DatasetCheck, { datasetId: dataset.id, checkedAt: options.now, level, indicators });
    tx.persist(check);
    await tx.nativeUpdate(Dataset, { id: dataset.id }, { qualityLevel: level, nextQualityCheckAt: new Date(options.now.getTime() + config.qualityCheckPeriodMs) });
    appendEvent(tx, "QualityChecked", dataset.id, { agencyCode: dataset.agencyCode, identifier: dataset.identifier, level, indicators });
    return check;
  });
}

/** The agency's reply record, read from its own feedback shard (a sibling in the topology). */
export async function fetchReplyStats(agencyCode: string, log: Logger): Promise<ReplyStats> {
  const url = loadTopology().shards.feedback?.[agencyCode];
  if (!url) return null;
  try {
    const claims = await signClaims({ sub: SYSTEM_SUBJECTS.QUALITY_CHECK, role: Role.MINISTRY_ADMIN }, loadSecrets().internalSecret, 60);
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
      body: JSON.stringify({ query: `{ feedbackStats(agencyCodes: ["${agencyCode}"]) { answered answeredOnTime overdue } }` }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { data?: { feedbackStats: ReplyStats } };
    return body.data?.feedbackStats ?? null;
  } catch (error) {
    log.warn({ err: error }, "reply record unavailable: reply efficiency left unjudged");
    return null;
  }
}

/** Which datasets are due for a check: published, and their turn has come. */
const DUE_FOR_CHECK = "lifecycle_state = 'PUBLISHED' and next_quality_check_at <= now()";

/** How many datasets wait for their check (the quality checker's queue). */
export async function countDueChecks(em: EntityManager): Promise<number> {
  const [row] = await em.getConnection().execute<{ due: number }[]>(`select count(*)::int as due from dataset where ${DUE_FOR_CHECK}`);
  return row.due;
}

/**
 * Checks every published dataset whose turn has come (next_quality_check_at),
 * `concurrency` at a time. Datasets are claimed with SKIP LOCKED and a lease,
 * so replicas share the work and a crash only delays a check.
 */
export function startQualityScheduler(orm: MikroORM, agencyCode: string, log: Logger, { intervalMs = config.qualityIntervalMs, concurrency = config.qualityConcurrency } = {}) {
  if (intervalMs === 0) return { stop: async () => undefined };
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const em = orm.em.fork();
    const due = await em.getConnection().execute<{ id: string }[]>(
      `update dataset set next_quality_check_at = now() + interval '1 hour'
       where id in (select id from dataset where ${DUE_FOR_CHECK}
                    order by next_quality_check_at limit ? for update skip locked)
       returning id`,
      [concurrency * 4],
    );
    if (due.length === 0) return;
    const replyStats = await fetchReplyStats(agencyCode, log);
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const fork = orm.em.fork();
        const dataset = await fork.findOneOrFail(Dataset, { id: next.id });
        await checkDataset(fork, dataset, { now: new Date(), timeoutMs: config.qualityTimeoutMs, replyStats });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    log.info({ checked: due.length }, "quality checks done");
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch((error: unknown) => log.error({ err: error }, "quality checks failed; retrying at the next tick"));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
