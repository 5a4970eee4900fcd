/** What every bench scenario shares: the PostgreSQL it runs on, a sanity request, a bounded autocannon run, prepared and seeded databases. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { projectRoot, type Secrets } from "../../contract/config";
import { freePort } from "../../contract/listen";
import { subgraphs } from "../../subgraphs";
import { seedOnce } from "../../subgraphs/kit/orm";
import { startInstance, type RunningInstance } from "../../subgraphs/kit/server";

export interface Measure {
  scenario: string;
  shards: number | "direct";
  p50: number;
  p99: number;
  requestsPerSecond: number;
  failed: number;
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

export async function post(url: string, headers: Record<string, string>, query: string): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`sanity request failed: ${JSON.stringify(body).slice(0, 300)}`);
}

/** The environment of a server process as the container image runs it, with this process's secrets (it signs the viewers' tokens and claims). */
export const deployedEnv = (secrets: Secrets) => ({ NODE_ENV: "production", GOVGRAPH_JWT_SECRET: secrets.jwtSecret, GOVGRAPH_INTERNAL_SECRET: secrets.internalSecret });

/** CPU time used so far, in ms: of this process, or of a server in a process of its own (its `cpuMs`). */
export type CpuMeter = () => number;
const ownCpuMs: CpuMeter = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface LoadOptions<Meter extends string> {
  /** Servers whose CPU per answer is measured besides this process's. */
  meters?: Record<Meter, CpuMeter>;
  /** Awaited between the warm-up and the measured run (e.g. until the servers have finished the warm-up's last requests). */
  afterWarmUp?: () => Promise<void>;
}

/**
 * A bounded autocannon run after a sanity request and a 1 s warm-up. Given a
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
  { meters = {} as Record<Meter, CpuMeter>, afterWarmUp }: LoadOptions<Meter> = {},
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
  await run(1); // warm-up, not measured
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
 * (catalogue/writes.ts's payload, listing fields included): a shard with a history, which metrics projects and
 * indexes as it would a real one's.
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
  await connection.execute(
    `insert into outbox_event (id, type, subject_id, payload)
     select gen_random_uuid(), 'DatasetPublished', id::text,
            jsonb_build_object('agencyCode', agency_code, 'identifier', identifier, 'issued', issued::text, 'retiredOn', null,
                               'title', title, 'description', description, 'category', category, 'keywords', to_jsonb(keywords),
                               'modified', to_jsonb(modified), 'lifecycleState', lifecycle_state, 'formats', '[]'::jsonb)
     from dataset order by issued, identifier`,
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
