/**
 * npm run status [-- --interval 2] [--gateway http://127.0.0.1:4000/graphql]
 *
 * One look at the whole topology: the gateway and every subgraph instance of
 * the topology (GOVGRAPH_TOPOLOGY, else the local one), each scraped twice
 * at its GET /metrics, `--interval` seconds apart. Requests per second, p99
 * and errors (answers with an error) are over that interval; event lag is
 * the p99 delay from an event's commit to its delivery, over the interval.
 */
import { config } from "../contract/config";
import { instanceStatus, parseMetrics, type Sample } from "../contract/metrics-reading";
import { instanceEndpoint, loadTopology } from "../contract/topology";
import { commandLine, refuseArguments } from "./command-line";

const USAGE = "usage: npm run status [-- --interval SECONDS] [--gateway URL]";

async function scrape(graphqlUrl: string): Promise<Sample[] | null> {
  try {
    const response = await fetch(instanceEndpoint(graphqlUrl, "metrics"), { signal: AbortSignal.timeout(3000) });
    return response.ok ? parseMetrics(await response.text()) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: { interval: { type: "string", default: "2" }, gateway: { type: "string", default: `http://${config.host}:${config.gatewayPort}/graphql` } },
  });
  const seconds = Number(values.interval);
  if (!(seconds > 0)) refuseArguments(USAGE, `--interval: ${values.interval} is not a positive number of seconds`);
  const topology = loadTopology();
  const instances: [string, string][] = [
    ["gateway", values.gateway!],
    ...Object.entries(topology.subgraphs),
    ...Object.entries(topology.shards).flatMap(([subgraph, byAgency]) => Object.entries(byAgency).map(([code, url]): [string, string] => [`${subgraph}:${code}`, url])),
  ];
  const before = await Promise.all(instances.map(([, url]) => scrape(url)));
  await new Promise((resolveWait) => setTimeout(resolveWait, seconds * 1000));
  const after = await Promise.all(instances.map(([, url]) => scrape(url)));
  const dash = (value: number | null) => (value === null ? "—" : value);
  console.table(
    instances.map(([name], i) => {
      const status = instanceStatus(name, before[i], after[i], seconds);
      return {
        instance: name,
        state: status.up ? "up" : "down",
        version: status.version,
        schema: status.schemaHash,
        "req/s": dash(status.requestsPerSecond),
        "p99 ms": dash(status.p99Ms),
        errors: dash(status.errors),
        "event lag p99 ms": dash(status.eventLagP99Ms),
      };
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
