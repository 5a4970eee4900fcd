/**
 * The national platform's dataset list, in and out of an agency's catalogue:
 *   npm run catalogue:import -- --agency ACA datasets.csv
 *   npm run catalogue:export -- --agency ACA > datasets.csv
 * Works on the agency's catalogue database directly (DATABASE_URL, or the
 * embedded PostgreSQL of a running `npm start`). Import shows progress on
 * stderr, lists every rejected row with its line and reasons, and exits 1
 * when any row was rejected (the good rows are imported all the same).
 */
import "reflect-metadata";
import { readFileSync } from "node:fs";
import { SingleBar } from "cli-progress";
import { catalogue } from "../subgraphs/catalogue";
import { exportDatasetList, importDatasetList } from "../subgraphs/catalogue/dataset-list";
import { AGENCY_CODES } from "../contract/agencies";
import { maintainedServerUrl } from "../contract/config";
import { databaseName, databaseUrl, ensureDatabase } from "../subgraphs/kit/database";
import { loggerFor } from "../contract/logger";
import { migrate, openOrm, seedOnce } from "../subgraphs/kit/orm";
import { agencyOption, commandLine, refuseArguments } from "./command-line";

const USAGE = `usage: npm run catalogue:import -- --agency CODE FILE
       npm run catalogue:export -- --agency CODE > FILE
  CODE: ${AGENCY_CODES.join(", ")}`;

async function main(): Promise<void> {
  const { positionals, values } = commandLine(USAGE, { allowPositionals: true, options: { agency: { type: "string" } } });
  const [command, file] = positionals;
  if (!["import", "export"].includes(command)) refuseArguments(USAGE, `no such command: ${command ?? "(none)"}`);
  const agencyCode = agencyOption(USAGE, values.agency) ?? refuseArguments(USAGE, "--agency: whose catalogue?");
  if (command === "import" && !file) refuseArguments(USAGE, "which file to import?");
  const serverUrl = maintainedServerUrl();
  const database = databaseName("catalogue", agencyCode);
  await ensureDatabase(serverUrl, database);
  const orm = await openOrm({ url: databaseUrl(serverUrl, database), entities: catalogue.entities, migrations: catalogue.migrations, log: loggerFor("catalogue", agencyCode) });
  try {
    await migrate(orm);
    // This database holds the agency's own list from now on: npm start never seeds example data into it.
    await seedOnce(orm);
    if (command === "export") {
      process.stdout.write(await exportDatasetList(orm.em));
      return;
    }
    const bar = new SingleBar({ format: "importing {bar} {value}/{total} rows | {eta}s left", stream: process.stderr });
    const started = performance.now();
    let begun = false;
    const report = await importDatasetList(orm.em, agencyCode, readFileSync(file, "utf8"), (done, total) => {
      if (!begun) bar.start(total, 0);
      begun = true;
      bar.update(done);
    });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    for (const { line, problems } of report.rejected) console.error(`line ${line}: ${problems.join("; ")}`);
    console.error(
      `${report.rows} rows in ${seconds.toFixed(1)} s (${Math.round(report.rows / seconds)} rows/s): ${report.created} created, ${report.updated} updated, ${report.rejected.length} rejected`,
    );
    if (report.rejected.length > 0) process.exitCode = 1;
  } finally {
    await orm.close(true);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
