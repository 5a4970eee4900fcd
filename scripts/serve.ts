/**
 * Runs subgraph instances in this process:
 *   node dist/scripts/serve.js metrics advisory catalogue:MOJ catalogue:ACA
 * Each instance keeps its own port, database and ORM; `npm start` runs one
 * process per agency (its catalogue and feedback shards) and one per ministry
 * subgraph, a container runs one instance. The port comes from
 * PORT when one instance is served, else from the topology.
 */
import "reflect-metadata";
import { instancePort, loadTopology } from "../contract/topology";
import { subgraphs } from "../subgraphs";
import { config } from "../contract/config";
import { rootLogger } from "../contract/logger";
import { startTracing } from "../contract/tracing";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { stopWithParent } from "./stop-with-parent";
import { commandLine, refuseArguments } from "./command-line";

const USAGE = `usage: npm run serve -- SUBGRAPH[:AGENCY] …   e.g. npm run serve -- catalogue:MOJ feedback:MOJ metrics`;

async function main(): Promise<void> {
  const { positionals: specs } = commandLine(USAGE, { allowPositionals: true, options: {} });
  if (specs.length === 0) refuseArguments(USAGE, "which instances?");
  if (!config.databaseUrl) throw new Error("DATABASE_URL must name the PostgreSQL server (npm start sets it).");
  const serverUrl = config.databaseUrl;
  const topology = loadTopology();
  const tracing = startTracing({ serviceName: `govgraph-${[...new Set(specs.map((spec) => spec.split(":")[0]))].join("-")}` });
  const running: RunningInstance[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, "stopping subgraph instances");
    await Promise.allSettled(running.map((instance) => instance.stop()));
    await tracing?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  stopWithParent();

  // Instances start together: their databases are migrated and seeded at the same time.
  await Promise.all(
    specs.map(async (spec) => {
      const [name, agencyCode] = spec.split(":");
      const definition = subgraphs[name];
      if (!definition) throw new Error(`unknown subgraph "${name}" (known: ${Object.keys(subgraphs).join(", ")})`);
      const port = specs.length === 1 && config.port ? config.port : instancePort(topology, name, agencyCode);
      running.push(await startInstance(definition, { agencyCode, serverUrl, port }));
    }),
  );
}

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, "subgraph process failed to start");
  process.exit(1);
});
