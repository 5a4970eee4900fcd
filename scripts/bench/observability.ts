import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { issueDevToken } from "../../gateway/auth";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { Role } from "../../contract/claims";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startTracing } from "../../contract/tracing";
import { startInstance } from "../../subgraphs/kit/server";
import { load, type BenchOptions, type Measure } from "./shared";

export async function benchObservability({ serverUrl, prefix, duration, connections, rounds }: BenchOptions): Promise<void> {
  const secrets = loadSecrets();
  const codes = ["MOJ", "ACA", "AAC"];
  console.log(`starting the ministry subgraphs and the catalogue and feedback shards of ${codes.join(", ")}, seeded…`);
  const start = (name: string, agencyCode?: string) => startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, port: 0 });
  const [metrics, advisory, ...shards] = await Promise.all([start("metrics"), start("advisory"), ...codes.flatMap((code) => [start("catalogue", code), start("feedback", code)])]);
  const shardsOf = (name: string) => Object.fromEntries(codes.map((code) => [code, shards.find((s) => s.info.subgraph === name && s.info.agencyCode === code)!.url]));
  // An OTLP collector that accepts every batch and keeps nothing.
  let exportedBatches = 0;
  const sink = createServer((req, res) => {
    req.resume().on("end", () => {
      exportedBatches += 1;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolveListen) => sink.listen(0, "127.0.0.1", resolveListen));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const query = `{ agencies(codes: ${JSON.stringify(codes)}) {
    code name oid
    datasets(first: 2) { totalCount edges { node { identifier title issued } } }
    feedbackStats { received answered answeredOnTime overdue }
    panelRepresentatives { name affiliation }
    targets(year: 2018) { indicator value }
  } }`;
  const token = await issueDevToken({ sub: "bench", role: Role.MINISTRY_ADMIN }, secrets);
  const modes = [
    { mode: "metrics and tracing off", observability: false, tracing: false },
    { mode: "metrics on", observability: true, tracing: false },
    { mode: "metrics and tracing on", observability: true, tracing: true },
  ];
  const measures: (Omit<Measure, "scenario" | "shards"> & { mode: string; round: number })[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const { mode, observability, tracing } of modes) {
        const traces = tracing ? startTracing({ serviceName: "govgraph-bench", endpoint: sinkUrl }) : undefined;
        const gateway = await startGateway({
          supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
          secrets,
          topology: { subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards: { catalogue: shardsOf("catalogue"), feedback: shardsOf("feedback") } },
          port: 0,
          observability,
        });
        try {
          measures.push({ mode, round, ...(await load(gateway.url, { authorization: `Bearer ${token}` }, query, duration, connections)) });
        } finally {
          await gateway.stop();
          await traces?.stop();
        }
      }
    }
  } finally {
    sink.close();
    await Promise.all([metrics, advisory, ...shards].map((instance) => instance.stop()));
  }
  console.log(`\nthe README's cross-subgraph query (${codes.length} agencies) through the gateway, ${connections} connections, ${duration} s per row, loopback; ${exportedBatches} span batches exported`);
  console.table(measures.map((m) => ({ mode: m.mode, round: m.round, "p50 ms": m.p50, "p99 ms": m.p99, "req/s": m.requestsPerSecond, failed: m.failed })));
}
