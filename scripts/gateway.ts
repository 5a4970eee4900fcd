/**
 * Runs the gateway.
 *   npm run gateway                                   the GovGraph supergraph, shards from the topology and the
 *                                                     routing table in the gateway's database (DATABASE_URL)
 *   npm run gateway -- --supergraph FILE --port PORT  standard mode: any Federation 2 supergraph, no shards
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway } from "../gateway/server";
import { loadTopology } from "../contract/topology";
import { config, loadSecrets, projectRoot } from "../contract/config";
import { rootLogger } from "../contract/logger";
import { databaseName, databaseUrl, ensureDatabase } from "../subgraphs/kit/database";
import { startTracing } from "../contract/tracing";
import { stopWithParent } from "./stop-with-parent";
import { commandLine, refuseArguments } from "./command-line";

const USAGE = `usage: npm run gateway
       npm run gateway -- --supergraph FILE [--port PORT]   (standard mode)`;

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, { options: { supergraph: { type: "string" }, port: { type: "string" } } });
  const port = values.port === undefined ? config.gatewayPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) refuseArguments(USAGE, `--port: ${values.port} is not a port number`);
  const standard = values.supergraph !== undefined;
  const tracing = startTracing({ serviceName: "govgraph-gateway" });
  const supergraph = readFileSync(values.supergraph ?? join(projectRoot, "schema", "supergraph.graphql"), "utf8");
  const gateway = await startGateway({
    supergraph,
    secrets: loadSecrets(),
    topology: standard ? undefined : loadTopology(),
    database: standard ? undefined : await gatewayDatabase(),
    routingFile: standard ? undefined : config.routingFile,
    port,
  });
  const stop = async () => {
    await gateway.stop();
    await tracing?.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
  stopWithParent();
}

/**
 * The gateway's own database on the ministry's server (DATABASE_URL), shared
 * by every replica. Without a server the gateway runs alone: the registry's
 * changes last as long as the process.
 */
async function gatewayDatabase(): Promise<string | undefined> {
  if (!config.databaseUrl) {
    rootLogger.warn("no DATABASE_URL: shards admitted or removed are kept only until this gateway stops, and it runs the transfer relay unshared");
    return undefined;
  }
  const name = databaseName("gateway");
  await ensureDatabase(config.databaseUrl, name);
  return databaseUrl(config.databaseUrl, name);
}

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, "gateway failed to start");
  process.exit(1);
});
