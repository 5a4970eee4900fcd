/**
 * harvest: the nine agencies' catalogue shards with the seed catalogue (2,041
 * published datasets), read as a harvester reads it, one request after the
 * other: the whole DCAT-AP catalogue in Turtle and in JSON-LD (seconds,
 * bytes, datasets per second, and the process's heap growth while it
 * streams), every dataset through CKAN's package_search (rows=100, start +=
 * 100 until an empty page), and package_show of single datasets (p50, p99).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AGENCY_CODES } from "../../contract/agencies";
import { loadSecrets, projectRoot } from "../../contract/config";
import { startGateway } from "../../gateway/server";
import { subgraphs } from "../../subgraphs";
import { startInstance } from "../../subgraphs/kit/server";
import type { BenchOptions } from "./shared";

export async function benchHarvest({ serverUrl, prefix }: BenchOptions): Promise<void> {
  const codes = [...AGENCY_CODES];
  console.log(`starting the ministry subgraphs and the catalogue and feedback shards of all ${codes.length} agencies, seeded…`);
  const start = (name: string, agencyCode?: string) => startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, port: 0 });
  const [metrics, advisory, ...shards] = await Promise.all([start("metrics"), start("advisory"), ...codes.flatMap((code) => [start("catalogue", code), start("feedback", code)])]);
  const shardsOf = (name: string) => Object.fromEntries(codes.map((code) => [code, shards.find((s) => s.info.subgraph === name && s.info.agencyCode === code)!.url]));
  const gateway = await startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: { metrics: metrics.url, advisory: advisory.url }, shards: { catalogue: shardsOf("catalogue"), feedback: shardsOf("feedback") } },
    port: 0,
    // Twenty instances share this process and a loaded machine: a slow page is measured, not refused.
    shardTimeoutMs: 30_000,
  });
  const base = new URL(gateway.url).origin;
  const rows: Record<string, string | number>[] = [];
  try {
    for (const format of ["ttl", "jsonld"]) {
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      let heapPeak = heapBefore;
      const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
      const started = performance.now();
      const response = await fetch(`${base}/dcat/catalog.${format}`);
      let bytes = 0;
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        text += decoder.decode(chunk, { stream: true });
      }
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const datasets = (text.match(format === "ttl" ? /\ba dcat:Dataset\b|\ba <http:\/\/www\.w3\.org\/ns\/dcat#Dataset>/g : /"@type":"dcat:Dataset"/g) ?? []).length;
      if (response.status !== 200) throw new Error(`catalog.${format} answered ${response.status}: ${text.slice(0, 300)}`);
      rows.push({ read: `DCAT catalog.${format}`, status: response.status, datasets, seconds: seconds.toFixed(1), "datasets/s": Math.round(datasets / seconds), MB: (bytes / 1e6).toFixed(1), "process heap growth MB (all 20 instances)": ((heapPeak - heapBefore) / 1e6).toFixed(0) });
    }
    const started = performance.now();
    const names: string[] = [];
    for (let startAt = 0; ; startAt += 100) {
      const body = (await (await fetch(`${base}/api/3/action/package_search?rows=100&start=${startAt}&sort=id%20asc`)).json()) as { result?: { results: { name: string }[] }; error?: unknown };
      if (!body.result) throw new Error(`package_search failed: ${JSON.stringify(body.error)}`);
      if (body.result.results.length === 0) break;
      names.push(...body.result.results.map((dataset) => dataset.name));
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push({ read: "CKAN package_search, rows=100", status: 200, datasets: names.length, seconds: seconds.toFixed(1), "datasets/s": Math.round(names.length / seconds) });
    const latencies: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const shown = performance.now();
      const response = await fetch(`${base}/api/3/action/package_show?id=${names[(i * 41) % names.length]}`);
      if (!((await response.json()) as { success: boolean }).success) throw new Error(`package_show answered ${response.status}`);
      latencies.push(performance.now() - shown);
    }
    latencies.sort((a, b) => a - b);
    rows.push({ read: "CKAN package_show (50)", status: 200, "p50 ms": Math.round(latencies[24]), "p99 ms": Math.round(latencies[49]) });
  } finally {
    await gateway.stop();
    await Promise.all([metrics, advisory, ...shards].map((instance) => instance.stop()));
  }
  console.log(`\nthe seeded catalogue of ${codes.length} agencies read by one harvester through the gateway, loopback (gateway, shards and client share this process)`);
  console.table(rows);
}
