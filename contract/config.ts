/**
 * Every environment variable GovGraph reads, in one place. The README's table
 * mirrors this file; nothing else in the code reads `process.env`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const env = process.env;

function intFrom(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function listFrom(name: string): string[] {
  return (env[name] ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

/** The folder holding package.json, whether this runs from source (jest) or from dist/. */
export const projectRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
})();

const dataDir = resolve(env.GOVGRAPH_DATA_DIR || join(projectRoot, ".govgraph"));

export const config = {
  /** An existing PostgreSQL server to use instead of the embedded one; GovGraph creates its databases there. */
  databaseUrl: env.DATABASE_URL || undefined,
  /** Port of the embedded PostgreSQL that `npm start` runs when DATABASE_URL is not set; below Linux's ephemeral range (32768–60999), where an outgoing connection could hold it. */
  embeddedPostgresPort: intFrom("GOVGRAPH_PG_PORT", 15432),
  /** How long `npm start` waits for every instance to be ready before it gives up, naming the slow ones. */
  startTimeoutMs: intFrom("GOVGRAPH_START_TIMEOUT_MS", 600_000),
  /** Connections each subgraph instance may hold (21 instances run locally). */
  databasePoolSize: intFrom("GOVGRAPH_DB_POOL_SIZE", 4),
  /** Prefix of every database name, so several topologies (tests, CI) can share one server. */
  databasePrefix: env.GOVGRAPH_DB_PREFIX || "govgraph",
  /** Where `npm start` keeps the embedded PostgreSQL data and the generated dev secrets. */
  dataDir,
  /** Address every server binds to. */
  host: env.GOVGRAPH_HOST || "127.0.0.1",
  /** Gateway port; subgraph ports follow it (see contract/topology.ts). */
  gatewayPort: intFrom("GATEWAY_PORT", 4000),
  /** Where GovGraph's own system callers (the quality check) reach the gateway; default: the local gateway. */
  gatewayUrl: env.GOVGRAPH_GATEWAY_URL || `http://${env.GOVGRAPH_HOST || "127.0.0.1"}:${intFrom("GATEWAY_PORT", 4000)}/graphql`,
  /** The gateway's address as the public reaches it (no trailing slash): the IRIs of the DCAT catalogue and the CKAN API's links are minted under it; default: the gateway's own listening address. */
  publicUrl: env.GOVGRAPH_PUBLIC_URL ? env.GOVGRAPH_PUBLIC_URL.replace(/\/+$/, "") : undefined,
  /** Port of a single subgraph process started by `scripts/serve.ts`. */
  port: intFrom("PORT", 0),
  /** JSON file describing where every subgraph and shard listens; default: the local topology. */
  topologyFile: env.GOVGRAPH_TOPOLOGY || undefined,
  logLevel: env.LOG_LEVEL || "info",
  /** Where traces are sent over OTLP/HTTP (the collector's base URL; /v1/traces is added); tracing is off without it. */
  otlpEndpoint: env.GOVGRAPH_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  /** Users' tokens: HS256 secret, or a JWKS URL for asymmetric keys; issuer and audience are checked when set. */
  jwtSecret: env.GOVGRAPH_JWT_SECRET || undefined,
  jwksUrl: env.GOVGRAPH_JWKS_URL || undefined,
  /** The console's development sign-in mints tokens with the local secret: never with an external JWKS, nor in production (the image sets NODE_ENV). */
  devSignIn: !env.GOVGRAPH_JWKS_URL && env.NODE_ENV !== "production",
  jwtIssuer: env.GOVGRAPH_JWT_ISSUER || "govgraph-dev",
  jwtAudience: env.GOVGRAPH_JWT_AUDIENCE || undefined,
  /** Longest a user's token may still be valid when presented (its exp at most this far ahead). */
  maxTokenLifetimeSeconds: intFrom("GOVGRAPH_MAX_TOKEN_LIFETIME_SECONDS", 86_400),
  /** Addresses of reverse proxies whose X-Forwarded-For the gateway believes (rate limits count the client behind them). */
  trustedProxies: listFrom("GOVGRAPH_TRUSTED_PROXIES"),
  /** HMAC secret shared by the gateway and the subgraphs for the forwarded claims. */
  internalSecret: env.GOVGRAPH_INTERNAL_SECRET || undefined,
  /** How long forwarded claims stay valid. */
  claimsTtlSeconds: intFrom("GOVGRAPH_CLAIMS_TTL_SECONDS", 60),
  /** A routing file written by earlier versions of the gateway: imported once into the gateway's database when present, then no longer read. */
  routingFile: resolve(env.GOVGRAPH_ROUTING_FILE || join(dataDir, "routing.json")),
  /** How often the gateway probes every shard's readiness. */
  healthIntervalMs: intFrom("GOVGRAPH_HEALTH_INTERVAL_MS", 5000),
  /** How long the gateway waits for one shard, or one call to a ministry subgraph, before answering without it. */
  shardTimeoutMs: intFrom("GOVGRAPH_SHARD_TIMEOUT_MS", 5000),
  /** Per shard at the gateway: calls in flight at most; consecutive failures that open its circuit breaker, and for how long. */
  shardGuard: {
    concurrency: intFrom("GOVGRAPH_SHARD_CONCURRENCY", 8),
    failureThreshold: intFrom("GOVGRAPH_SHARD_FAILURES_TO_OPEN", 5),
    cooldownMs: intFrom("GOVGRAPH_SHARD_COOLDOWN_MS", 5000),
  },
  /** Longest a subgraph's SQL statement may run; then PostgreSQL cancels it and the pool connection is freed. */
  statementTimeoutMs: intFrom("GOVGRAPH_STATEMENT_TIMEOUT_MS", 10_000),
  /** The reply deadline: how many days, calendar or working, and the holiday calendar for working days (a JSON list of YYYY-MM-DD). */
  replyDays: intFrom("GOVGRAPH_REPLY_DAYS", 14),
  replyDayKind: (env.GOVGRAPH_REPLY_DAY_KIND || "calendar").toUpperCase() as "CALENDAR" | "WORKING",
  holidaysFile: env.GOVGRAPH_HOLIDAYS_FILE || undefined,
  /** How often each feedback shard looks for reminders to send (due soon, overdue). */
  reminderIntervalMs: intFrom("GOVGRAPH_REMINDER_INTERVAL_MS", 60_000),
  /** How often the gateway's transfer relay moves reassigned dataset requests between feedback shards. */
  transferIntervalMs: intFrom("GOVGRAPH_TRANSFER_INTERVAL_MS", 2000),
  /** Quality checks: how often each catalogue shard looks for datasets due (0: never), how many at once, per-request timeout, how often a dataset is checked; and the badge rules (JSON, see catalogue/quality/indicators.ts). */
  qualityIntervalMs: intFrom("GOVGRAPH_QUALITY_INTERVAL_MS", 60_000),
  qualityConcurrency: intFrom("GOVGRAPH_QUALITY_CONCURRENCY", 4),
  qualityTimeoutMs: intFrom("GOVGRAPH_QUALITY_TIMEOUT_MS", 10_000),
  qualityCheckPeriodMs: intFrom("GOVGRAPH_QUALITY_PERIOD_HOURS", 24) * 3_600_000,
  badgeRules: env.GOVGRAPH_BADGE_RULES || undefined,
  /** Addresses and ranges ("10.0.0.0/8") of intranet hosts the quality check may fetch; every other non-public address is refused. */
  fetchAllow: listFrom("GOVGRAPH_FETCH_ALLOW"),
  /** How long the de-identification scan (and the datastore's load) may take to read one whole file. */
  scanTimeoutMs: intFrom("GOVGRAPH_SCAN_TIMEOUT_MS", 600_000),
  /** Public comments one client may submit to one agency per hour. */
  feedbackSubmissionsPerHour: intFrom("GOVGRAPH_FEEDBACK_SUBMISSIONS_PER_HOUR", 30),
  /** Metrics: how often it reads the gateway's routing table to follow shards admitted, moved or removed; how often it snapshots today's figures. */
  metricsFollowIntervalMs: intFrom("GOVGRAPH_METRICS_FOLLOW_INTERVAL_MS", 5000),
  metricsSnapshotIntervalMs: intFrom("GOVGRAPH_METRICS_SNAPSHOT_INTERVAL_MS", 3_600_000),
  /** The advisory panel's composition rule (strategy 3): conveners, members besides them, agency representatives among the members, and the fewest civil-society representatives. */
  panelRules: {
    conveners: intFrom("GOVGRAPH_PANEL_CONVENERS", 1),
    members: intFrom("GOVGRAPH_PANEL_MEMBERS", 11),
    agencyRepresentatives: intFrom("GOVGRAPH_PANEL_AGENCY_REPRESENTATIVES", 7),
    minCivilSocietyRepresentatives: intFrom("GOVGRAPH_PANEL_MIN_CIVIL_SOCIETY", 4),
  },
  /** Largest request body (and WebSocket message) any GovGraph server accepts. */
  maxBodyBytes: intFrom("GOVGRAPH_MAX_BODY_BYTES", 2_000_000),
  /** Origins whose pages may call the gateway from a browser (CORS); same-origin pages need none. */
  corsOrigins: listFrom("GOVGRAPH_CORS_ORIGINS"),
  /** Operations open over WebSocket at the gateway (subscriptions, mostly): per client address, and in all. */
  subscriptionLimits: {
    perClient: intFrom("GOVGRAPH_MAX_SUBSCRIPTIONS_PER_CLIENT", 20),
    total: intFrom("GOVGRAPH_MAX_SUBSCRIPTIONS", 2000),
  },
  /** Events the gateway keeps in memory per shard stream, for subscribers resuming with a cursor (gateway/shard-router/event-hub.ts). */
  eventWindow: intFrom("GOVGRAPH_EVENT_WINDOW", 1000),
  /** Operation limits at the gateway, checked before planning (gateway/limits.ts). */
  operationLimits: {
    maxTokens: intFrom("GOVGRAPH_MAX_TOKENS", 2000),
    maxDepth: intFrom("GOVGRAPH_MAX_DEPTH", 12),
    maxAliases: intFrom("GOVGRAPH_MAX_ALIASES", 30),
    maxDirectives: intFrom("GOVGRAPH_MAX_DIRECTIVES", 20),
    maxFields: intFrom("GOVGRAPH_MAX_FIELDS", 1000),
    maxCost: intFrom("GOVGRAPH_MAX_COST", 5000),
  },
  /** How long a stopping server lets requests in flight finish. */
  drainTimeoutMs: intFrom("GOVGRAPH_DRAIN_TIMEOUT_MS", 5000),
};
export type Config = typeof config;

if (config.replyDayKind !== "CALENDAR" && config.replyDayKind !== "WORKING") {
  throw new Error(`GOVGRAPH_REPLY_DAY_KIND must be "calendar" or "working", got "${env.GOVGRAPH_REPLY_DAY_KIND}"`);
}

export interface Secrets {
  /** Signs and verifies users' dev tokens (HS256). */
  jwtSecret: string;
  /** Signs the claims the gateway forwards to subgraphs. */
  internalSecret: string;
}

/**
 * Secrets come from the environment; on a developer machine any that is
 * missing is generated once and kept in the data folder, so that `npm start`,
 * `npm run token` and every process of the local topology agree.
 */
export function loadSecrets(): Secrets {
  if (config.jwtSecret && config.internalSecret) {
    return { jwtSecret: config.jwtSecret, internalSecret: config.internalSecret };
  }
  const file = join(config.dataDir, "dev-secrets.json");
  let stored: Partial<Secrets> = {};
  if (existsSync(file)) {
    stored = JSON.parse(readFileSync(file, "utf8")) as Partial<Secrets>;
  }
  const secrets: Secrets = {
    jwtSecret: config.jwtSecret ?? stored.jwtSecret ?? randomBytes(32).toString("base64url"),
    internalSecret: config.internalSecret ?? stored.internalSecret ?? randomBytes(32).toString("base64url"),
  };
  if (secrets.jwtSecret !== stored.jwtSecret || secrets.internalSecret !== stored.internalSecret) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/** The PostgreSQL server the maintenance scripts (catalogue:*, metrics:*) work on: DATABASE_URL, else a running `npm start`'s embedded one. */
export function maintainedServerUrl(): string {
  return config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPostgresPort}/postgres`;
}
