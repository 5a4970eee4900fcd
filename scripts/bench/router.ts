import { readFileSync } from "node:fs";
import { join } from "node:path";
import { issueDevToken } from "../../gateway/auth";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { CLAIMS_HEADER, Role, signClaims } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";
import { load, seedDirectory, seedShard, type BenchOptions, type Measure } from "./shared";

export async function benchRouter({ serverUrl, prefix, duration, connections, shardCounts, datasets }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = Array.from({ length: Math.max(...shardCounts) }, (_, i) => `B${String(i + 1).padStart(2, "0")}`);
  const measures: Measure[] = [];
  const instances: RunningInstance[] = [];
  try {
    console.log(`starting ${codes.length} catalogue shards with ${datasets} datasets each, and metrics…`);
    const metrics = await startInstance(subgraphs.metrics, { serverUrl, databasePrefix: prefix, seed: false, port: 0 });
    instances.push(metrics);
    await seedDirectory(metrics, codes);
    const shards = new Map<string, RunningInstance>();
    for (const code of codes) {
      const shard = await startInstance(subgraphs.catalogue, { agencyCode: code, serverUrl, databasePrefix: prefix, seed: false, port: 0 });
      instances.push(shard);
      shards.set(code, shard);
      await seedShard(shard, code, datasets);
    }

    const claims = await signClaims({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets.internalSecret, 3600);
    const direct = { [CLAIMS_HEADER]: claims };
    const connectionQuery = "{ datasets(first: 20) { totalCount edges { cursor node { identifier title issued } } pageInfo { hasNextPage endCursor } } }";
    const first = shards.get(codes[0])!;
    measures.push({ scenario: "connection", shards: "direct", ...(await load(first.url, direct, connectionQuery, duration, connections)) });
    measures.push({
      scenario: "entities",
      shards: "direct",
      ...(await load(first.url, direct, `{ _entities(representations: [{ __typename: "Agency", code: "${codes[0]}" }]) { ... on Agency { datasets(first: 2) { totalCount } } } }`, duration, connections)),
    });

    const token = await issueDevToken({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets);
    const bearer = { authorization: `Bearer ${token}` };
    for (const count of shardCounts) {
      const used = codes.slice(0, count);
      const gateway = await startGateway({
        supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
        secrets,
        topology: { subgraphs: { metrics: metrics.url }, shards: { catalogue: Object.fromEntries(used.map((code) => [code, shards.get(code)!.url])), feedback: {} } },
        port: 0,
      });
      try {
        measures.push({ scenario: "connection", shards: count, ...(await load(gateway.url, bearer, connectionQuery, duration, connections)) });
        const entitiesQuery = `{ agencies(codes: ${JSON.stringify(used)}) { code datasets(first: 2) { totalCount } } }`;
        measures.push({ scenario: "entities", shards: count, ...(await load(gateway.url, bearer, entitiesQuery, duration, connections)) });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
  }
  console.log(`\nshard router, ${datasets} datasets per shard, ${connections} connections, ${duration} s per row, loopback`);
  console.table(measures.map((m) => ({ scenario: m.scenario, shards: m.shards, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
}
