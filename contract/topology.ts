/**
 * Where everything listens. The local topology (npm start) derives every
 * port from the gateway's: ministry subgraphs at +1, +2; agency shards at
 * +100+i (catalogue) and +200+i (feedback), i = the agency's position in
 * schema/agencies.json. A deployment describes itself in a JSON file of the
 * same shape (GOVGRAPH_TOPOLOGY), as docker-compose.yml does.
 */
import { readFileSync } from "node:fs";
import { AGENCY_CODES } from "./agencies";
import { config } from "./config";

export interface Topology {
  /** URL of each ministry subgraph. */
  subgraphs: Record<string, string>;
  /** The routing table: agency subgraph → agency code → shard URL. */
  shards: Record<string, Record<string, string>>;
}

const shardPortOffset: Record<string, number> = { catalogue: 100, feedback: 200 };
const ministryPortOffset: Record<string, number> = { advisory: 1, metrics: 2 };

export function localTopology(gatewayPort = config.gatewayPort, host = config.host): Topology {
  const url = (port: number) => `http://${host}:${port}/graphql`;
  return {
    subgraphs: Object.fromEntries(Object.entries(ministryPortOffset).map(([name, offset]) => [name, url(gatewayPort + offset)])),
    shards: Object.fromEntries(
      Object.entries(shardPortOffset).map(([name, offset]) => [
        name,
        Object.fromEntries(AGENCY_CODES.map((code, i) => [code, url(gatewayPort + offset + i)])),
      ]),
    ),
  };
}

export function loadTopology(): Topology {
  if (!config.topologyFile) return localTopology();
  return JSON.parse(readFileSync(config.topologyFile, "utf8")) as Topology;
}

/** Another endpoint of the instance serving `graphqlUrl` (readiness, metrics): the URL without its /graphql path, then /<name>. */
export function instanceEndpoint(graphqlUrl: string, name: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = `${url.pathname.replace(/\/graphql\/?$/, "").replace(/\/$/, "")}/${name}`;
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** The port an instance listens on, read back from its URL in the topology. */
export function instancePort(topology: Topology, subgraph: string, agencyCode?: string): number {
  const url = agencyCode ? topology.shards[subgraph]?.[agencyCode] : topology.subgraphs[subgraph];
  if (!url) throw new Error(`The topology has no ${subgraph}${agencyCode ? ` shard for ${agencyCode}` : " subgraph"}.`);
  return Number(new URL(url).port);
}
