/** What every bench scenario shares: the PostgreSQL it runs on, a sanity request, a bounded autocannon run, prepared and seeded databases. */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { projectRoot, type Secrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { subgraphs } from "../../subgraphs";
import { datasetEventPayload, type ListedDataset } from "../../subgraphs/catalogue/writes";
import { seedOnce } from "../../subgraphs/kit/orm";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";
import { processCpuMs } from "../server-process";

export interface Measure {
  scenario: string;
  shards: number | "direct";
  p50: number;
  p99: number;
  requestsPerSecond: number;
  failed: number;
}

/**
 * The p-th percentile of `values` by nearest rank (p 50 of three values is the middle one); NaN, a sample that never
 * came, counts as the slowest. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b));
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function embeddedPostgres(maxConnections?: number): Promise<{ url: string; stop(): Promise<void> }> {
  const module = (await import(pathToFileURL(join(projectRoot, "scripts", "embedded-postgres.mjs")).href)) as {
    startEmbeddedPostgres(options: { dir: string; port: number; persistent: boolean; maxConnections?: number }): Promise<{ url: string; stop(): Promise<void> }>;
  };
  return module.startEmbeddedPostgres({ dir: mkdtempSync(join(tmpdir(), "govgraph-bench-pg-")), port: await freePort(), persistent: false, maxConnections });
}

/**
 * The address of the i-th simulated citizen, as the reverse proxy in front of the gateway reports it
 * (X-Forwarded-For; `npm run bench` trusts loopback proxies): submissions are counted per address, and
 * a real platform's citizens do not all come from one.
 */
export const citizenAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** A request whose answer must carry no error (a sanity request, a bench's own query); its data. */
export async function post<Data = Record<string, unknown>>(url: string, headers: Record<string, string>, query: string): Promise<Data> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: Data; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`request failed: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data!;
}

/** The environment of a server process as the container image runs it, with this process's secrets (it signs the viewers' tokens and claims). */
export const deployedEnv = (secrets: Secrets) => ({ NODE_ENV: "production", GOVGRAPH_JWT_SECRET: secrets.jwtSecret, GOVGRAPH_INTERNAL_SECRET: secrets.internalSecret });

/** CPU time used so far, in ms: of this process, or of a server in a process of its own (its `cpuMs`). */
export type CpuMeter = () => number;
const ownCpuMs: CpuMeter = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** PostgreSQL's processes at the last reading, and the time of those that have ended since they were first read. */
const postgresProcesses = { last: new Map<string, number>(), ended: 0 };

/**
 * The CPU time of this machine's PostgreSQL processes (the server the benches use runs here, on loopback), as the
 * kernel counts it, from the first reading on. A process that ends (a pool closing an idle connection) keeps the
 * time it had at the reading before; only a process that starts and ends between two readings goes uncounted.
 */
export const postgresCpuMs: CpuMeter = () => {
  const now = new Map<string, number>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.includes("(postgres)")) now.set(pid, processCpuMs(stat));
    } catch {
      // ended since the directory was read
    }
  }
  // An earlier process is over when its pid is gone, or taken by a new process that has used less time.
  for (const [pid, ms] of postgresProcesses.last) if ((now.get(pid) ?? -1) < ms) postgresProcesses.ended += ms;
  postgresProcesses.last = now;
  return postgresProcesses.ended + [...now.values()].reduce((sum, ms) => sum + ms, 0);
};

/**
 * How long a server answers its measured load before it is measured: a server's JIT takes seconds of load to settle
 * (after 3 s, GovGraph's MOJ gateway spent 3.1 ms of CPU per page over the next 5 s, and 1.4 to 1.7 ms over each 5 s
 * after that), so a server measured after one second is measured cold.
 */
export const WARM_UP_SECONDS = 8;

export interface LoadOptions<Meter extends string> {
  /** Servers whose CPU per answer is measured besides this process's. */
  meters?: Record<Meter, CpuMeter>;
  /** How long the same load runs, not measured, before the measured run (default 1 s; WARM_UP_SECONDS for a server that has answered nothing yet). */
  warmUpSeconds?: number;
  /** Awaited between the warm-up and the measured run (e.g. until the servers have finished the warm-up's last requests). */
  afterWarmUp?: () => Promise<void>;
}

/**
 * A bounded autocannon run after a sanity request and a warm-up (1 s unless told). Given a
 * list of header sets, each request takes the next one: every request its own
 * viewer, so no engine can merge identical requests in flight. CPU per answer
 * is this process's (load generator and whatever servers run in it), and each
 * meter's, over the measured run only.
 */
export async function load<Meter extends string = never>(
  url: string,
  headers: Record<string, string> | Record<string, string>[],
  query: string,
  duration: number,
  connections: number,
  { meters = {} as Record<Meter, CpuMeter>, warmUpSeconds = 1, afterWarmUp }: LoadOptions<Meter> = {},
) {
  const viewers = Array.isArray(headers) ? headers : [headers];
  await post(url, viewers[0], query);
  const body = JSON.stringify({ query });
  let next = 0;
  const run = (seconds: number) =>
    autocannon({
      url,
      connections,
      duration: seconds,
      requests: [
        {
          method: "POST" as const,
          setupRequest: (request) => Object.assign(request, { headers: { "content-type": "application/json", ...viewers[next++ % viewers.length] }, body }),
        },
      ],
    });
  await run(warmUpSeconds); // not measured
  await afterWarmUp?.();
  const named = Object.entries<CpuMeter>(meters);
  const before = named.map(([, meter]) => meter());
  const ownBefore = ownCpuMs();
  const result = await run(duration);
  const total = result.requests.total;
  const perAnswer = (ms: number) => (total > 0 ? Number((ms / total).toFixed(2)) : NaN);
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    requestsPerSecond: Math.round(result.requests.average),
    failed: result.errors + result.timeouts + result.non2xx,
    requestsTotal: total,
    cpuMsPerRequest: perAnswer(ownCpuMs() - ownBefore),
    cpuMsPerRequestOf: Object.fromEntries(named.map(([name, meter], i) => [name, perAnswer(meter() - before[i])])) as Record<Meter, number>,
  };
}

/**
 * `datasets` published datasets of agency `code`, each with the DatasetPublished event its publication appends
 * (catalogue/writes.ts's datasetEventPayload; no resources, so no formats): a shard with a history, which metrics
 * projects and indexes as it would a real one's.
 */
export async function seedShard(instance: RunningInstance, code: string, datasets: number): Promise<void> {
  const connection = instance.orm.em.fork().getConnection();
  await connection.execute(
    `insert into dataset (id, agency_code, identifier, title, description, category, type, license, accrual_periodicity, issued, modified, lifecycle_state)
     select gen_random_uuid(), ?, ? || '-' || lpad(n::text, 6, '0'), '資料集 ' || n, '基準測試資料', '公共資訊', 'RAW_DATA', '政府資料開放授權條款-第1版', '每1年',
            date '2013-01-01' + (n * 7 % 1800), now(), 'PUBLISHED'
     from generate_series(1, ?) as n`,
    [code, code, datasets],
  );
  const published = await connection.execute<(Omit<ListedDataset, "modified"> & { id: string; modified: string })[]>(
    `select id, agency_code as "agencyCode", identifier, issued::text as issued, retired_on::text as "retiredOn", title, description, category,
            keywords, modified, lifecycle_state as "lifecycleState"
     from dataset order by issued, identifier`,
  );
  const events = published.map((dataset) => ({ subjectId: dataset.id, payload: datasetEventPayload({ ...dataset, modified: new Date(dataset.modified) }, []) }));
  await connection.execute(
    `insert into outbox_event (id, type, subject_id, payload)
     select gen_random_uuid(), 'DatasetPublished', event->>'subjectId', event->'payload' from jsonb_array_elements(?::jsonb) with ordinality as e(event, n) order by n`,
    [JSON.stringify(events)],
  );
}

export interface BenchOptions {
  serverUrl: string;
  prefix: string;
  duration: number;
  connections: number;
  shardCounts: number[];
  rows: number;
  datasets: number;
  rounds: number;
  /** Record a CPU profile of the measured runs that support it (compare). */
  profile: boolean;
}

/**
 * A subgraph's database (an agency's shard with `agencyCode`), migrated, given the bench's rows by `seed`, and
 * marked seeded: the process that serves it next adds no seed data of its own. The instance that prepares it runs no
 * background work (metrics would start following a gateway that is not there yet).
 */
export async function prepareDatabase(
  serverUrl: string,
  prefix: string,
  name: string,
  agencyCode: string | undefined,
  seed: (instance: RunningInstance) => Promise<void> = async () => undefined,
): Promise<void> {
  const instance = await startInstance(subgraphs[name], { agencyCode, serverUrl, databasePrefix: prefix, seed: false, port: 0, background: false });
  try {
    await seed(instance);
    await seedOnce(instance.orm);
  } finally {
    await instance.stop();
  }
}

/** The agency directory of metrics: these codes, in this order. */
export async function seedDirectory(metrics: RunningInstance, codes: readonly string[]): Promise<void> {
  await metrics.orm.em.fork().getConnection().execute(
    `insert into agency (code, name, name_en, oid, position) select code, code, code, '2.16.886.0.' || ord, ord from unnest(string_to_array(?, ',')) with ordinality as t(code, ord)`,
    [codes.join(",")],
  );
}
