import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { AGENCY_CODES } from "../../contract/agencies";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";
import { ATTACKS, README_AGENCIES_QUERY } from "../attacks";
import { load, type BenchOptions } from "./shared";

export async function benchSecurity({ serverUrl, prefix, duration, connections }: BenchOptions): Promise<void> {
  const instances: RunningInstance[] = [];
  const gateways: { stop(): Promise<void> }[] = [];
  try {
    console.log(`starting metrics, advisory and ${AGENCY_CODES.length} agencies' catalogue and feedback shards…`);
    const start = (name: string, agencyCode?: string, seed = false) =>
      startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, seed, port: 0 }).then((instance) => (instances.push(instance), instance));
    const [metrics, advisory] = await Promise.all([start("metrics", undefined, true), start("advisory", undefined, true)]);
    const shards: Record<string, Record<string, string>> = { catalogue: {}, feedback: {} };
    for (const code of AGENCY_CODES) {
      for (const name of ["catalogue", "feedback"]) shards[name][code] = (await start(name, code)).url;
    }
    const topology = { subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards };
    const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
    const launch = async (operationLimits?: null) => {
      const gateway = await startGateway({ supergraph, secrets: loadSecrets(), topology, port: 0, operationLimits });
      gateways.push(gateway);
      return gateway;
    };
    const limited = await launch();
    const unlimited = await launch(null);
    const json = { "content-type": "application/json" };

    const refusals = [];
    for (const attack of ATTACKS) {
      const times: number[] = [];
      let code = "";
      for (let run = 0; run < 5; run += 1) {
        const started = performance.now();
        const response = await fetch(limited.url, { method: "POST", headers: json, body: JSON.stringify({ query: attack.query }) });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string; limit?: string } }[] };
        times.push(performance.now() - started);
        code = `${body.errors?.[0]?.extensions?.code ?? "none"} ${body.errors?.[0]?.extensions?.limit ?? ""}`.trim();
      }
      times.sort((a, b) => a - b);
      refusals.push({ attack: attack.name, "bytes": attack.query.length, "refusal ms (median of 5)": Number(times[2].toFixed(1)), answer: code });
    }
    console.log("\ntime to refusal, gateway with the operation limits");
    console.table(refusals);

    const throughput = [];
    for (const [limits, gateway] of [["with limits", limited], ["without limits", unlimited]] as const) {
      throughput.push({ gateway: limits, ...(await load(gateway.url, {}, README_AGENCIES_QUERY, duration, connections)) });
    }
    console.log(`\nthe README's agencies query, ${connections} connections, ${duration} s`);
    console.table(throughput.map((m) => ({ gateway: m.gateway, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await Promise.all(instances.map((instance) => instance.stop()));
  }
}
