/**
 * No Docker engine runs here, so docker-compose.yml cannot be started in CI;
 * this test keeps it true to the code instead: the same entrypoints, only
 * variables the code reads, a topology that names running services on the
 * ports they listen on, two gateway replicas sharing one database behind a
 * sticky proxy, and each agency's shards on that agency's own PostgreSQL.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AGENCY_CODES } from "../contract/agencies";
import { subgraphs } from "../subgraphs";
import { projectRoot } from "../contract/config";
import { SERVER_NODE_FLAGS } from "../scripts/node-flags";

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
}

const compose = parse(readFileSync(join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  networks?: Record<string, { ipam?: { config?: { subnet: string }[] } }>;
};
const topology = JSON.parse(readFileSync(join(projectRoot, "schema", "topology.docker.json"), "utf8")) as {
  subgraphs: Record<string, string>;
  shards: Record<string, Record<string, string>>;
};
const configSource = readFileSync(join(projectRoot, "contract", "config.ts"), "utf8");
const nodeServices = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === "node");
const gateways = nodeServices.filter(([, service]) => service.command![1] === "dist/scripts/gateway.js");
/** [service name, "subgraph" or "subgraph:AGENCY"] of every subgraph instance. */
const instances = nodeServices.flatMap(([name, service]) => (service.command![1] === "dist/scripts/serve.js" ? [[name, service.command![2]] as const] : []));
const postgresServers = new Set(Object.entries(compose.services).filter(([, service]) => service.image?.startsWith("postgres:")).map(([name]) => name));
/** The port a node service listens on: PORT for a subgraph instance, GATEWAY_PORT for a gateway. */
const listensOn = (service: Service) => Number(service.environment?.PORT ?? service.environment?.GATEWAY_PORT);
const databaseHostOf = (service: Service) => new URL(service.environment!.DATABASE_URL).hostname;

test("every node service runs a script of the project, as npm start does, with a readiness health check on its port", () => {
  expect(nodeServices.length).toBeGreaterThanOrEqual(10);
  for (const [name, service] of nodeServices) {
    const script = service.command![1];
    expect({ name, script, exists: existsSync(join(projectRoot, script.replace(/^dist\//, "").replace(/\.js$/, ".ts"))) }).toEqual({ name, script, exists: true });
    const check = JSON.stringify(service.healthcheck);
    expect({ name, check: check.includes(`127.0.0.1:${listensOn(service)}/readiness`) }).toEqual({ name, check: true });
  }
});

test("the image, and npm run gateway and serve, run every server with the node flags npm start gives it; no compose service sets others", () => {
  const image = readFileSync(join(projectRoot, "Dockerfile"), "utf8");
  const nodeOptions = image.match(/^ENV .*\bNODE_OPTIONS="([^"]*)"/m);
  expect(nodeOptions?.[1].split(" ")).toEqual(SERVER_NODE_FLAGS);
  for (const [name, service] of nodeServices) expect({ name, nodeOptions: service.environment?.NODE_OPTIONS }).toEqual({ name, nodeOptions: undefined });
  const { scripts } = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
  for (const name of ["gateway", "serve"]) expect({ name, runs: scripts[name] }).toEqual({ name, runs: expect.stringContaining(`node ${SERVER_NODE_FLAGS.join(" ")} dist/scripts/`) });
});

test("every variable given to a service is one the code reads", () => {
  for (const [, service] of nodeServices) {
    for (const variable of Object.keys(service.environment ?? {})) {
      expect({ variable, read: configSource.includes(`"${variable}"`) || configSource.includes(`env.${variable}`) }).toEqual({ variable, read: true });
    }
  }
});

test("the docker topology names a service for every subgraph and shard, on the port it listens on, and only known agencies", () => {
  const codes = new Set(AGENCY_CODES);
  const urls = [
    ...Object.entries(topology.subgraphs).map(([subgraph, url]) => [subgraph, url]),
    ...Object.entries(topology.shards).flatMap(([subgraph, byAgency]) => Object.entries(byAgency).map(([code, url]) => [`${subgraph}:${code}`, url])),
  ];
  expect(urls.map(([spec]) => spec).sort()).toEqual(instances.map(([, spec]) => spec).sort());
  for (const [spec, url] of urls) {
    const [subgraph, code] = spec.split(":");
    expect(subgraphs[subgraph]).toBeDefined();
    if (code) expect(codes.has(code)).toBe(true);
    const service = instances.find(([, instance]) => instance === spec)![0];
    const { hostname, port, pathname } = new URL(url);
    expect({ spec, hostname, port: Number(port), pathname }).toEqual({ spec, hostname: service, port: listensOn(compose.services[service]), pathname: "/graphql" });
  }
  // Every gateway starts once every instance it routes to is ready, and its database is.
  for (const [name, service] of gateways) {
    expect({ name, waitsFor: Object.keys(service.depends_on ?? {}).sort() }).toEqual({ name, waitsFor: [...instances.map(([instance]) => instance), databaseHostOf(service)].sort() });
  }
});

test("two gateway replicas alike, sharing the ministry's database, reached only through the proxy", () => {
  expect(gateways.map(([name]) => name)).toHaveLength(2);
  const [[, first], [, second]] = gateways;
  expect(second).toEqual(first);
  expect(postgresServers.has(databaseHostOf(first))).toBe(true);
  for (const [name, service] of gateways) expect({ name, ports: service.ports ?? [] }).toEqual({ name, ports: [] });
});

test("the proxy is Caddy in front of both replicas: sticky by cookie, new clients only to ready replicas, the one address of the gateway", () => {
  const proxy = compose.services.proxy;
  expect(proxy.image).toMatch(/^caddy:\d+\.\d+\.\d+$/);
  const [host, container] = (proxy.volumes ?? []).map((volume) => volume.split(":")).find(([, path]) => path === "/etc/caddy/Caddyfile")!;
  const caddyfile = readFileSync(join(projectRoot, host), "utf8");
  expect(container).toBe("/etc/caddy/Caddyfile");
  const upstreams = /^\s*reverse_proxy ([^{]+)\{/m.exec(caddyfile)![1].trim().split(/\s+/);
  expect(upstreams.sort()).toEqual(gateways.map(([name, service]) => `${name}:${listensOn(service)}`).sort());
  expect(caddyfile).toMatch(/^\s*lb_policy cookie \w+$/m);
  expect(caddyfile).toMatch(/^\s*health_uri \/readiness$/m);
  // The proxy listens where the host's port is mapped, and is the one service publishing the gateway's.
  const proxyPort = Number(/^:(\d+) \{/m.exec(caddyfile)![1]);
  expect(proxy.ports).toEqual([`127.0.0.1:4000:${proxyPort}`]);
  for (const [name, service] of Object.entries(compose.services)) {
    if (name !== "proxy") expect({ name, publishes4000: (service.ports ?? []).some((port) => port.startsWith("127.0.0.1:4000:")) }).toEqual({ name, publishes4000: false });
  }
  expect(Object.keys(proxy.depends_on ?? {}).sort()).toEqual(gateways.map(([name]) => name).sort());
  // Subgraphs call the gateway through the proxy, whichever replica is up.
  for (const [name, service] of instances.map(([instance]) => [instance, compose.services[instance]] as const)) {
    expect({ name, gateway: service.environment?.GOVGRAPH_GATEWAY_URL }).toEqual({ name, gateway: `http://proxy:${proxyPort}/graphql` });
  }
});

test("the gateways trust the proxy's fixed address, in the network's range, for the client's address", () => {
  const address = compose.services.proxy.networks?.default?.ipv4_address;
  expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  const [subnet] = compose.networks?.default?.ipam?.config ?? [];
  const [base, bits] = subnet.subnet.split("/");
  const network = (ip: string) => Math.floor(ip.split(".").reduce((n, part) => n * 256 + Number(part), 0) / 2 ** (32 - Number(bits)));
  expect(network(address!)).toBe(network(base));
  for (const [name, service] of gateways) expect({ name, trusted: service.environment?.GOVGRAPH_TRUSTED_PROXIES }).toEqual({ name, trusted: address });
});

test("each agency's shards run on the agency's own PostgreSQL; the ministry's subgraphs and the gateways on the ministry's", () => {
  const agenciesByServer = new Map<string, Set<string>>();
  const ministryServers = new Set<string>();
  for (const [name, spec] of instances) {
    const service = compose.services[name];
    const server = databaseHostOf(service);
    expect({ name, server, isPostgres: postgresServers.has(server) }).toEqual({ name, server, isPostgres: true });
    expect({ name, waitsForItsServer: service.depends_on?.[server]?.condition }).toEqual({ name, waitsForItsServer: "service_healthy" });
    const [, agencyCode] = spec.split(":");
    if (agencyCode) agenciesByServer.set(server, (agenciesByServer.get(server) ?? new Set()).add(agencyCode));
    else ministryServers.add(server);
  }
  for (const [, service] of gateways) ministryServers.add(databaseHostOf(service));
  expect(agenciesByServer.size).toBeGreaterThanOrEqual(3);
  for (const [server, agencies] of agenciesByServer) {
    expect({ server, agencies: [...agencies] }).toHaveProperty("agencies", [expect.any(String)]);
    expect(ministryServers.has(server)).toBe(false);
  }
  expect(ministryServers.size).toBe(1);
});
