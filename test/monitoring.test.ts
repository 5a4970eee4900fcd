/**
 * No container engine runs here, so Prometheus and Grafana of
 * docker-compose.yml cannot be started in CI; this keeps their files true to
 * the code instead: Prometheus scrapes every GovGraph container, the
 * dashboard asks only for metrics and labels the servers export, and shows
 * every one of them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../contract/config";
import { METRIC } from "../contract/metrics";

interface Service {
  command?: string[];
  volumes?: string[];
}

const read = (path: string) => readFileSync(join(projectRoot, path), "utf8");
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
const prometheus = parse(read("deploy/prometheus/prometheus.yml")) as {
  scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
};
const datasources = parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as { datasources: { uid: string; url: string }[] };
const providers = parse(read("deploy/grafana/provisioning/dashboards/govgraph.yml")) as { providers: { options: { path: string } }[] };
const dashboard = JSON.parse(read("deploy/grafana/dashboards/govgraph.json")) as {
  panels: { title: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
};
const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
const exported = new Set<string>(Object.values(METRIC));
/** Every label a GovGraph server puts on its series (contract/metrics.ts, gateway/observability.ts, subgraphs/kit/observability.ts), and Prometheus's `le`. */
const LABELS = new Set(["service", "agency", "subgraph", "operation", "outcome", "state", "version", "schema_hash", "le"]);

/** A mount's host path and container path ("./deploy/x:/etc/x:ro"). */
const mounts = (service: string) => (compose.services[service].volumes ?? []).filter((volume) => volume.startsWith("./")).map((volume) => volume.split(":"));

test("Prometheus scrapes /metrics of every GovGraph container, on the port each listens on", () => {
  const nodeServices = Object.entries(compose.services).filter(([, service]) => service.command?.[0] === "node").map(([name]) => `${name}:4000`);
  const [job] = prometheus.scrape_configs;
  expect(job.metrics_path).toBe("/metrics");
  expect(job.static_configs.flatMap((config) => config.targets).sort()).toEqual(nodeServices.sort());
  expect(mounts("prometheus")).toContainEqual(["./deploy/prometheus/prometheus.yml", "/etc/prometheus/prometheus.yml", "ro"]);
});

test("Grafana is provisioned from files that exist, with the dashboard where its provider looks and the datasource its panels name", () => {
  for (const [host] of mounts("grafana")) expect({ host, exists: existsSync(join(projectRoot, host)) }).toEqual({ host, exists: true });
  const dashboardsMount = mounts("grafana").find(([host]) => host === "./deploy/grafana/dashboards");
  expect(dashboardsMount?.[1]).toBe(providers.providers[0].options.path);
  const [datasource] = datasources.datasources;
  expect(new URL(datasource.url).hostname).toBe("prometheus");
  for (const panel of dashboard.panels) {
    expect({ panel: panel.title, uid: panel.datasource.uid }).toEqual({ panel: panel.title, uid: datasource.uid });
    for (const target of panel.targets) expect(target.datasource.uid).toBe(datasource.uid);
  }
});

test("every metric the dashboard asks for is one the servers export, with labels they set", () => {
  for (const expr of expressions) {
    const names = [...expr.matchAll(/govgraph_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ""));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect({ expr, name, exported: exported.has(name) }).toEqual({ expr, name, exported: true });
    const labels = [...expr.matchAll(/by \(([^)]*)\)|\{([^}]*)\}/g)].flatMap(([, by, selector]) =>
      by ? by.split(",").map((label) => label.trim()) : selector.split(",").map((matcher) => matcher.split(/[=!~]/)[0].trim()),
    );
    for (const label of labels) expect({ expr, label, known: LABELS.has(label) }).toEqual({ expr, label, known: true });
  }
});

test("the dashboard shows every metric the servers export", () => {
  const shown = new Set(expressions.flatMap((expr) => [...expr.matchAll(/govgraph_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|sum|count)$/, ""))));
  expect([...exported].filter((name) => !shown.has(name))).toEqual([]);
});
