/**
 * No Docker engine runs here, so docker-compose.yml cannot be started in CI;
 * this test keeps it true to the code instead: the same entrypoints, only
 * variables the code reads, and a topology that names running services.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AGENCY_CODES } from "../contract/agencies";
import { subgraphs } from "../subgraphs";
import { projectRoot } from "../contract/config";

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as { services: Record<string, Service> };
const topology = JSON.parse(readFileSync(join(projectRoot, "schema", "topology.docker.json"), "utf8")) as {
  subgraphs: Record<string, string>;
  shards: Record<string, Record<string, string>>;
};
const configSource = readFileSync(join(projectRoot, "contract", "config.ts"), "utf8");
const nodeServices = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === "node");

test("every node service runs a script of the project, as npm start does, with a readiness health check", () => {
  expect(nodeServices.length).toBeGreaterThanOrEqual(7);
  for (const [name, service] of nodeServices) {
    const script = service.command![1];
    expect({ name, script, exists: existsSync(join(projectRoot, script.replace(/^dist\//, "").replace(/\.js$/, ".ts"))) }).toEqual({ name, script, exists: true });
    expect(JSON.stringify(service.healthcheck)).toContain("/readiness");
  }
});

test("every variable given to a service is one the code reads", () => {
  for (const [, service] of nodeServices) {
    for (const variable of Object.keys(service.environment ?? {})) {
      expect({ variable, read: configSource.includes(`"${variable}"`) || configSource.includes(`env.${variable}`) }).toEqual({ variable, read: true });
    }
  }
});

test("the docker topology names a service for every subgraph and shard, and only known agencies", () => {
  const codes = new Set(AGENCY_CODES);
  const instances = nodeServices.flatMap(([name, service]) => (service.command![1] === "dist/scripts/serve.js" ? [[name, service.command![2]]] : []));
  const urls = [
    ...Object.entries(topology.subgraphs).map(([subgraph, url]) => [subgraph, url]),
    ...Object.entries(topology.shards).flatMap(([subgraph, byAgency]) => Object.entries(byAgency).map(([code, url]) => [`${subgraph}:${code}`, url])),
  ];
  expect(urls.map(([spec]) => spec).sort()).toEqual(instances.map(([, spec]) => spec).sort());
  for (const [spec, url] of urls) {
    const [subgraph, code] = spec.split(":");
    expect(subgraphs[subgraph]).toBeDefined();
    if (code) expect(codes.has(code)).toBe(true);
    const host = new URL(url).hostname;
    expect(instances.find(([, instance]) => instance === spec)?.[0]).toBe(host);
  }
  expect(Object.keys(compose.services.gateway.depends_on ?? {}).sort()).toEqual(instances.map(([name]) => name).sort());
});
