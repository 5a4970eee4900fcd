/**
 * The projection's maintenance, on the metrics database (DATABASE_URL, or the
 * embedded PostgreSQL of a running `npm start`) with the gateway of the topology:
 *   npm run metrics:rebuild      replay every shard's history into emptied figures
 *   npm run metrics:reconcile    compare every figure with the shards' own counts (exit 1 on drift)
 *   npm run metrics:report -- --year 2017 --format csv|html
 *   npm run metrics:report -- --meeting 2018-03-19 --format csv|html   (the cycle that panel meeting closed)
 */
import "reflect-metadata";
import { config, loadSecrets, maintainedServerUrl } from "../contract/config";
import { loggerFor } from "../contract/logger";
import { databaseName, databaseUrl, ensureDatabase } from "../subgraphs/kit/database";
import { migrate, openOrm } from "../subgraphs/kit/orm";
import { metrics } from "../subgraphs/metrics";
import { rebuildProjection } from "../subgraphs/metrics/follower";
import { askGateway, metricsSystemClient } from "../subgraphs/metrics/gateway-client";
import { panelReader } from "../subgraphs/metrics/live";
import { evaluationReport, meetingCycleReport } from "../subgraphs/metrics/progress";
import { reconcile } from "../subgraphs/metrics/reconcile";
import { reportCsv, reportHtml } from "../subgraphs/metrics/report";
import { snapshotToday } from "../subgraphs/metrics/snapshots";
import { parseCalendarDate } from "../subgraphs/kit/scalars";
import { commandLine, refuseArguments } from "./command-line";

const USAGE = `usage: npm run metrics:rebuild
       npm run metrics:reconcile
       npm run metrics:report -- (--year YYYY | --meeting YYYY-MM-DD) [--format csv|html]`;

async function main(): Promise<void> {
  const { positionals, values } = commandLine(USAGE, {
    allowPositionals: true,
    options: { year: { type: "string" }, meeting: { type: "string" }, format: { type: "string", default: "csv" } },
  });
  const [command] = positionals;
  if (!["rebuild", "reconcile", "report"].includes(command)) refuseArguments(USAGE, `no such command: ${command ?? "(none)"}`);
  const year = Number(values.year);
  if (command === "report") {
    if ((values.year !== undefined) === (values.meeting !== undefined)) refuseArguments(USAGE, "report: --year or --meeting, one of them");
    if (values.year !== undefined && !/^\d{4}$/.test(values.year)) refuseArguments(USAGE, `--year: ${values.year} is not a year (YYYY)`);
    if (values.meeting !== undefined) {
      try {
        parseCalendarDate(values.meeting);
      } catch (error) {
        refuseArguments(USAGE, `--meeting: ${(error as Error).message}`);
      }
    }
    if (!["csv", "html"].includes(values.format!)) refuseArguments(USAGE, `--format: ${values.format} is neither csv nor html`);
  }
  const gatewayUrl = config.gatewayUrl;
  const serverUrl = maintainedServerUrl();
  const database = databaseName("metrics");
  await ensureDatabase(serverUrl, database);
  const log = loggerFor("metrics");
  const orm = await openOrm({ url: databaseUrl(serverUrl, database), entities: metrics.entities, migrations: metrics.migrations, log });
  try {
    await migrate(orm);
    const system = metricsSystemClient(loadSecrets().internalSecret, config.claimsTtlSeconds, config.shardTimeoutMs);
    panelReader.configure(gatewayUrl, system, log);
    if (command === "rebuild") {
      const { events, seconds } = await rebuildProjection({
        orm,
        gatewayUrl,
        system,
        log,
        onProgress: (applied, total) => process.stderr.write(`\rreplayed ${applied}/${total} events`),
      });
      await snapshotToday(orm.em.fork());
      console.error(`\nrebuilt from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`);
    } else if (command === "reconcile") {
      const drifts = await reconcile(orm.em.fork(), (query, variables) => askGateway(system, gatewayUrl, query, variables));
      for (const drift of drifts) console.log(`${drift.agencyCode} ${drift.figure}: projected ${drift.projected}, shard ${drift.shard}`);
      console.error(drifts.length === 0 ? "no drift" : `${drifts.length} figures drift`);
      if (drifts.length > 0) process.exitCode = 1;
    } else {
      const report = values.meeting ? await meetingCycleReport(orm.em.fork(), values.meeting) : await evaluationReport(orm.em.fork(), year);
      process.stdout.write(values.format === "html" ? reportHtml(report) : reportCsv(report));
    }
  } finally {
    await orm.close(true);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
