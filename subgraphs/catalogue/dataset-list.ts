/**
 * Importing and exporting an agency's catalogue as the platform's dataset
 * list (platform-csv.ts). Import is idempotent: a row updates the dataset
 * with its identifier, or creates it. Each bad row is reported with its line
 * and reasons while the good rows land, in batches of one transaction each.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { inputProblems } from "../kit/validation";
import { todayInTaipei } from "../kit/days";
import { Dataset, LifecycleState, Resource } from "./entities";
import type { RegisterDatasetInput } from "./inputs";
import { inPlatformSpelling, metadataProblems } from "./domain";
import { formatPlatformCsv, readPlatformCsv, rowToInput } from "./platform-csv";
import { writeDataset } from "./writes";

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  rejected: { line: number; problems: string[] }[];
}

const BATCH = 500;

export async function importDatasetList(
  em: EntityManager,
  agencyCode: string,
  csv: string,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<ImportReport> {
  const rows = readPlatformCsv(csv);
  const today = todayInTaipei();
  const report: ImportReport = { rows: rows.length, created: 0, updated: 0, rejected: [] };
  for (let start = 0; start < rows.length; start += BATCH) {
    const good: RegisterDatasetInput[] = [];
    for (const row of rows.slice(start, start + BATCH)) {
      const parsed = rowToInput(row, agencyCode);
      const problems =
        "problems" in parsed
          ? parsed.problems
          : [...(await inputProblems(parsed.input)), ...metadataProblems(parsed.input, "", today)].map((p) => `${p.path}: ${p.reason}`);
      if (problems.length > 0) report.rejected.push({ line: row.line, problems });
      else if ("input" in parsed) good.push(inPlatformSpelling(parsed.input));
    }
    await em.fork().transactional(async (tx) => {
      const existing = await tx.find(Dataset, { identifier: { $in: good.map((input) => input.identifier) } });
      const byIdentifier = new Map<string, Dataset>(existing.map((dataset) => [dataset.identifier, dataset]));
      for (const input of good) {
        const current = byIdentifier.get(input.identifier);
        if (current) report.updated += 1;
        else report.created += 1;
        // A later row with the same identifier updates the earlier one.
        byIdentifier.set(input.identifier, await writeDataset(tx, input, current));
      }
    });
    onProgress(Math.min(start + BATCH, rows.length), rows.length);
  }
  return report;
}

/** The agency's published datasets as the platform's list, by identifier. */
export async function exportDatasetList(em: EntityManager): Promise<string> {
  const datasets = await em.fork().find(Dataset, { lifecycleState: LifecycleState.PUBLISHED }, { orderBy: { identifier: "asc" } });
  const resources = await em.fork().find(Resource, { dataset: { $in: datasets.map((d) => d.id) } }, { orderBy: { position: "asc" } });
  const byDataset = new Map<string, Resource[]>(datasets.map((d) => [d.id, []]));
  for (const resource of resources) byDataset.get(resource.dataset.id)?.push(resource);
  return formatPlatformCsv(datasets.map((dataset) => ({ dataset, resources: byDataset.get(dataset.id)! })));
}
