/**
 * A whole GovGraph in one test process: chosen agencies' catalogue and
 * feedback shards, the ministry subgraphs and the gateway, each instance on
 * its own ephemeral port and its own database (under a prefix unique to the
 * test file), all on the test run's PostgreSQL. The gateway keeps its routing
 * table in its own database, as in production; more gateways started over
 * the same instances are replicas sharing it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { issueDevToken } from "../gateway/auth";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import type { Role } from "../contract/claims";
import { loadSecrets, projectRoot } from "../contract/config";
import { databaseName, databaseUrl, dropDatabases, ensureDatabase } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { freePort } from "./processes";

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestTopology {
  gateway: RunningGateway;
  /** Instances by "subgraph" or "subgraph:AGENCY". */
  instances: Map<string, RunningInstance>;
  serverUrl: string;
  /** The prefix of every database of this topology (GOVGRAPH_DB_PREFIX of a process joining it). */
  prefix: string;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  token(role: Role, agencyCode?: string): Promise<string>;
  /**
   * Starts another instance on the test's server and prefix, without telling the gateway (see the registry).
   * A second instance of a shard (its new home in a move) shares the shard's database and is kept as "name:CODE#2".
   */
  startInstance(name: string, agencyCode?: string): Promise<RunningInstance>;
  /** Starts another gateway over the same instances and the same gateway database: a replica (or a restart). */
  startGateway(options?: GatewayTestOptions): Promise<RunningGateway>;
  /** Runs SQL on one instance's own database ("gateway": the gateway's). */
  sql<T extends object = Record<string, unknown>>(instance: string, text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface GatewayTestOptions {
  /** Metrics projects the shards' events (it follows the gateway's routing table, so the gateway's port is chosen first). */
  projection?: boolean;
  healthIntervalMs?: number;
  transferIntervalMs?: number;
  /** The gateway's database URL (default: the topology's own); a test may reach it through a proxy it can cut. */
  database?: string;
  /** Where the gateway reaches a ministry subgraph (default: its instance); a test may put a relay it can cut in between. */
  subgraphs?: { metrics?: string; advisory?: string };
  /** false: the gateway plans every operation (GatewayOptions.wholeOperations). */
  wholeOperations?: boolean;
}

export async function startTestTopology(agencyCodes: string[], options: GatewayTestOptions = {}): Promise<TestTopology> {
  const serverUrl = process.env.DATABASE_URL!;
  const prefix = `t${randomBytes(4).toString("hex")}`;
  const instances = new Map<string, RunningInstance>();
  const gatewayPort = options.projection ? await freePort() : 0;
  const gatewayUrl = options.projection ? `http://127.0.0.1:${gatewayPort}/graphql` : undefined;
  const start = async (name: string, agencyCode?: string) => {
    const instance = await startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, port: 0, gatewayUrl });
    const key = agencyCode ? `${name}:${agencyCode}` : name;
    let n = 1;
    while (instances.has(n === 1 ? key : `${key}#${n}`)) n += 1;
    instances.set(n === 1 ? key : `${key}#${n}`, instance);
    return instance;
  };
  await Promise.all([
    start("metrics"),
    start("advisory"),
    ...agencyCodes.flatMap((code) => [start("catalogue", code), start("feedback", code)]),
  ]);
  const gatewayDatabase = databaseName("gateway", undefined, prefix);
  await ensureDatabase(serverUrl, gatewayDatabase);
  const secrets = loadSecrets();
  const shardsOf = (name: string) => Object.fromEntries(agencyCodes.map((code) => [code, instances.get(`${name}:${code}`)!.url]));
  const gateways: RunningGateway[] = [];
  const launchGateway = async (replicaOptions: GatewayTestOptions = {}) => {
    const gatewayOptions = { ...options, ...replicaOptions };
    const started = await startGateway({
      supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
      secrets,
      topology: {
        subgraphs: { metrics: instances.get("metrics")!.url, advisory: instances.get("advisory")!.url, ...gatewayOptions.subgraphs },
        shards: { catalogue: shardsOf("catalogue"), feedback: shardsOf("feedback") },
      },
      port: gateways.length === 0 ? gatewayPort : 0,
      database: gatewayOptions.database ?? databaseUrl(serverUrl, gatewayDatabase),
      healthIntervalMs: gatewayOptions.healthIntervalMs,
      transferIntervalMs: gatewayOptions.transferIntervalMs,
      wholeOperations: gatewayOptions.wholeOperations,
    });
    gateways.push(started);
    return started;
  };
  const gateway = await launchGateway();

  return {
    gateway,
    instances,
    serverUrl,
    prefix,
    async query(query, variables, token) {
      const response = await fetch(gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    startInstance: start,
    startGateway: launchGateway,
    token: (role, agencyCode) => issueDevToken({ sub: `test-${role.toLowerCase()}`, role, agencyCode }, secrets),
    async sql(name, text, values) {
      const database = name === "gateway" ? gatewayDatabase : instances.get(name)!.database;
      const client = new Client({ connectionString: databaseUrl(serverUrl, database) });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await Promise.all(gateways.map((started) => started.stop()));
      await Promise.all([...instances.values()].map((instance) => instance.stop()));
      await dropDatabases(serverUrl, prefix);
    },
  };
}
