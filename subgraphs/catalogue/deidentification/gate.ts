/**
 * The de-identification gate: every structured resource (CSV, JSON, XML) is
 * scanned before its dataset is published and on every quality check; a
 * dataset whose files hold personal data is not published, unless the
 * agency's CIO has exempted exactly what was found, file by file, with a reason.
 */
import type { BlockList } from "node:net";
import type { EntityManager } from "@mikro-orm/postgresql";
import { ErrorCode, govError } from "../../../contract/errors";
import { FetchFailure, openGuarded } from "../quality/probe";
import { structuredFormat } from "../structured/read";
import { PersonalDataExemption, PersonalDataScan, type ExemptedColumn, type PersonalDataFinding } from "./entities";
import { scanStructured, type ScanReport } from "./scan";

export interface ScanSettings {
  /** How long reading one whole file may take. */
  timeoutMs: number;
  /** How long the server may stay silent: before answering, and between two chunks of the file. */
  silenceMs: number;
  /** Intranet addresses that may be fetched (GOVGRAPH_FETCH_ALLOW). */
  allowed: BlockList;
}

/** What a scan of one resource's file found, or why it could not be read. */
export interface ResourceScan {
  downloadUrl: string;
  report: ScanReport | null;
  error: string | null;
}

/**
 * Streams a whole file to `read` under the fetch guard, within the settings'
 * time: the server may not stay silent longer than `silenceMs`, nor the whole read take longer than `timeoutMs`.
 */
export async function readGuarded<T>(url: string, settings: ScanSettings, read: (bytes: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
  const silence = new AbortController();
  let timer = setTimeout(() => silence.abort(), settings.silenceMs);
  const heard = () => {
    clearTimeout(timer);
    timer = setTimeout(() => silence.abort(), settings.silenceMs);
  };
  try {
    const { response } = await openGuarded(url, AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), silence.signal]), settings.allowed);
    async function* heardChunks(): AsyncGenerator<Uint8Array> {
      for await (const chunk of response) {
        heard();
        yield chunk as Uint8Array;
      }
    }
    heard();
    try {
      return await read(heardChunks());
    } finally {
      response.destroy();
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Reads and scans one file; null for formats the scan does not read. */
export async function scanResource(resource: { downloadUrl: string; format: string }, settings: ScanSettings): Promise<ResourceScan | null> {
  const format = structuredFormat(resource.format);
  if (!format) return null;
  try {
    return { downloadUrl: resource.downloadUrl, report: await readGuarded(resource.downloadUrl, settings, (bytes) => scanStructured(bytes, format)), error: null };
  } catch (error) {
    const reason = error instanceof FetchFailure ? error.message : `not readable as ${format}: ${error instanceof Error ? error.message : String(error)}`;
    return { downloadUrl: resource.downloadUrl, report: null, error: reason };
  }
}

/** Scans a dataset's resources, one file at a time (each is streamed whole). */
export async function scanResources(resources: readonly { downloadUrl: string; format: string }[], settings: ScanSettings): Promise<(ResourceScan | null)[]> {
  const scans: (ResourceScan | null)[] = [];
  for (const resource of resources) scans.push(await scanResource(resource, settings));
  return scans;
}

const covers = (columns: readonly ExemptedColumn[], finding: { column: string; kind: string }) =>
  columns.some((exempted) => exempted.column === finding.column && exempted.kind === finding.kind);

/** The findings of a scan, each marked exempted or not under the file's latest exemption. */
export function judgeFindings(report: ScanReport | null, exemption: Pick<PersonalDataExemption, "columns"> | null): PersonalDataFinding[] {
  return (report?.findings ?? []).map((finding) => ({ ...finding, exempted: exemption ? covers(exemption.columns, finding) : false }));
}

/** The latest exemption of each of these files. */
export async function latestExemptions(em: EntityManager, downloadUrls: readonly string[]): Promise<Map<string, PersonalDataExemption>> {
  const rows = await em.find(PersonalDataExemption, { downloadUrl: { $in: [...new Set(downloadUrls)] } }, { orderBy: { recordedAt: "desc" } });
  const latest = new Map<string, PersonalDataExemption>();
  for (const row of rows) if (!latest.has(row.downloadUrl)) latest.set(row.downloadUrl, row);
  return latest;
}

/** Scans of one dataset's resources, judged against the exemptions, ready to be kept (resource ids are filled in by `recordScans`). */
export async function judgeScans(em: EntityManager, scans: readonly (ResourceScan | null)[]): Promise<((ResourceScan & { findings: PersonalDataFinding[] }) | null)[]> {
  const exemptions = await latestExemptions(em, scans.flatMap((scan) => (scan ? [scan.downloadUrl] : [])));
  return scans.map((scan) => (scan ? { ...scan, findings: judgeFindings(scan.report, exemptions.get(scan.downloadUrl) ?? null) } : null));
}

/**
 * Refuses to publish `identifier` while a file holds findings no exemption
 * covers: PERSONAL_DATA_FOUND listing each resource, column and kind, with
 * counts and masked samples.
 */
export function assertPublishable(identifier: string, judged: readonly ({ downloadUrl: string; findings: PersonalDataFinding[] } | null)[], at: string): void {
  const blocking = judged.flatMap((scan, position) =>
    (scan?.findings ?? []).filter((finding) => !finding.exempted).map(({ exempted: _exempted, ...finding }) => ({ path: `${at}.resources.${position}`, downloadUrl: scan!.downloadUrl, ...finding })),
  );
  if (blocking.length === 0) return;
  const listed = blocking.map((f) => `${f.path} column "${f.column}": ${f.kind} ×${f.count} (e.g. ${f.samples.join(", ")})`).join("; ");
  throw govError(
    ErrorCode.PERSONAL_DATA_FOUND,
    `Cannot publish ${identifier}: personal data found in ${listed}. De-identify these columns, or have the agency's CIO record an exemption with a reason (exemptPersonalData).`,
    { findings: blocking },
  );
}

/** Keeps the scans of a dataset's resources (in resource order, null where a resource is not scanned). */
export function recordScans(
  em: EntityManager,
  datasetId: string,
  resourceIds: readonly string[],
  judged: readonly ((ResourceScan & { findings: PersonalDataFinding[] }) | null)[],
  scannedAt: Date,
): PersonalDataScan[] {
  return judged.flatMap((scan, position) => {
    if (!scan) return [];
    const row = em.create(PersonalDataScan, {
      resourceId: resourceIds[position],
      datasetId,
      scannedAt,
      encoding: scan.report?.encoding ?? null,
      bytes: scan.report?.bytes ?? null,
      findings: scan.findings,
      error: scan.error,
    });
    em.persist(row);
    return [row];
  });
}
