/**
 * npm run bench [-- compare] [--duration 5] [--connections 20] [--datasets 300] [--rounds 5] [--profile]
 * npm run bench -- router [--shards 1,9,40] [--datasets 300] [--duration 5] [--connections 16]
 * npm run bench -- feedback [--duration 10] [--connections 16]
 * npm run bench -- import [--rows 10000]
 * npm run bench -- security [--duration 5] [--connections 16]
 * npm run bench -- observability [--duration 5] [--connections 16] [--rounds 2]
 * npm run bench -- metrics [--datasets 100000] [--duration 10] [--connections 16] [--profile]
 * npm run bench -- harvest
 * npm run bench -- events [--duration 5] [--connections 16] [--profile]
 * npm run bench -- index [--shards 9,200] [--datasets 20] [--duration 5] [--connections 16]
 * npm run bench -- datastore [--rows 1000000]
 *
 * One scenario per file beside this one (what each measures is said there);
 * `compare`, the default, sets GovGraph beside a floor and its peers.
 * Each run is bounded in time (after a warm-up: 1 s, or WARM_UP_SECONDS of
 * shared.ts for compare's, events' and metrics' servers), targets 127.0.0.1 only,
 * and stops by itself. `compare`, `events` and `metrics` run the servers
 * they measure as processes of their own; the other scenarios run gateways
 * and shards in this process with the load generator, on the same cores:
 * compare their rows with each other, not with a deployment.
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { config } from "../../contract/config";
import { dropDatabases } from "../../subgraphs/kit/database";
import { benchCompare } from "./compare";
import { benchIndex } from "./dataset-index";
import { benchDatastore } from "./datastore";
import { benchEvents } from "./events";
import { benchFeedback } from "./feedback";
import { benchHarvest } from "./harvest";
import { benchImport } from "./import";
import { benchMetrics } from "./metrics";
import { benchObservability } from "./observability";
import { benchRouter } from "./router";
import { benchSecurity } from "./security";
import { embeddedPostgres, type BenchOptions } from "./shared";
import { commandLine, refuseArguments } from "../command-line";

interface Scenario {
  run(options: BenchOptions): Promise<void>;
  duration: number;
  connections: number;
  datasets: number;
  shards?: string;
  rows?: number;
  /** Rounds of the scenarios that repeat their rows (compare, observability); default 2. */
  rounds?: number;
  /** Connections the embedded PostgreSQL accepts, when the scenario needs more than its default. */
  maxConnections?: number;
}

const SCENARIOS: Record<string, Scenario> = {
  compare: { run: benchCompare, duration: 5, connections: 20, datasets: 300, rounds: 5 },
  router: { run: benchRouter, duration: 5, connections: 16, datasets: 300 },
  feedback: { run: benchFeedback, duration: 10, connections: 16, datasets: 300 },
  import: { run: benchImport, duration: 10, connections: 16, datasets: 300 },
  security: { run: benchSecurity, duration: 10, connections: 16, datasets: 300 },
  observability: { run: benchObservability, duration: 5, connections: 16, datasets: 300 },
  metrics: { run: benchMetrics, duration: 10, connections: 16, datasets: 100_000 },
  harvest: { run: benchHarvest, duration: 10, connections: 1, datasets: 300 },
  events: { run: benchEvents, duration: 5, connections: 16, datasets: 300 },
  index: { run: benchIndex, duration: 5, connections: 16, datasets: 20, shards: "9,200", maxConnections: 1000 },
  datastore: { run: benchDatastore, duration: 10, connections: 1, datasets: 0, rows: 1_000_000 },
};

const USAGE = `usage: npm run bench -- [SCENARIO] [--duration S] [--connections N] [--rounds N] [--datasets N] [--rows N] [--shards 1,9,40] [--profile]
  SCENARIO: ${Object.keys(SCENARIOS).join(", ")} (default compare); what each measures: the README, under "Other commands"`;

/** A count option (--duration 5, --shards 1,9,40): positive whole numbers, refused otherwise. */
function counts(option: string, value: string): number[] {
  const numbers = value.split(",").map(Number);
  if (!numbers.every((n) => Number.isInteger(n) && n > 0)) refuseArguments(USAGE, `--${option}: ${value} is not made of positive whole numbers`);
  return numbers;
}

async function main(): Promise<void> {
  const { positionals, values } = commandLine(USAGE, {
    allowPositionals: true,
    options: {
      shards: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string" },
      rows: { type: "string" },
      datasets: { type: "string" },
      rounds: { type: "string" },
      profile: { type: "boolean", default: false },
    },
  });
  const name = positionals[0] ?? "compare";
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : refuseArguments(USAGE, `no such scenario: ${name}`);
  const count = (option: "duration" | "connections" | "rows" | "datasets" | "rounds", fallback: number) => (values[option] === undefined ? fallback : counts(option, values[option])[0]);
  const postgres = config.databaseUrl ? undefined : await embeddedPostgres(scenario.maxConnections);
  const serverUrl = config.databaseUrl ?? postgres!.url;
  const prefix = `bench${randomBytes(3).toString("hex")}`;
  try {
    await scenario.run({
      serverUrl,
      prefix,
      duration: count("duration", scenario.duration),
      connections: count("connections", scenario.connections),
      shardCounts: counts("shards", values.shards ?? scenario.shards ?? "1,9,40"),
      rows: count("rows", scenario.rows ?? 10_000),
      datasets: count("datasets", scenario.datasets),
      rounds: count("rounds", scenario.rounds ?? 2),
      profile: values.profile!,
    });
  } finally {
    await dropDatabases(serverUrl, prefix);
    await postgres?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
