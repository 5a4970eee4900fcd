/**
 * Prometheus metrics, as the gateway and every subgraph instance serve them
 * at GET /metrics. The names below are a contract: `npm run status`
 * (contract/metrics-reading.ts) and the Grafana dashboard
 * (deploy/grafana/dashboards/govgraph.json) read them.
 *
 * Each server has its own registry (tests and `serve` run many instances in
 * one process), labelled with its service (gateway or subgraph name) and,
 * for an agency shard, its agency. Every other label takes its values from a
 * small known set: never an id, a client's text or an unbounded name.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { projectRoot } from "./config";
import { ErrorCode, isErrorCode } from "./errors";

/** The version every server reports (package.json). */
export const VERSION = (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;

export const METRIC = {
  build: "govgraph_build_info",
  requests: "govgraph_requests_total",
  requestDuration: "govgraph_request_duration_seconds",
  subscriptions: "govgraph_subscriptions_active",
  shardCalls: "govgraph_shard_calls_total",
  shardCallDuration: "govgraph_shard_call_duration_seconds",
  shardState: "govgraph_shard_state",
  subgraphCalls: "govgraph_subgraph_calls_total",
  subgraphCallDuration: "govgraph_subgraph_call_duration_seconds",
  wholeOperations: "govgraph_whole_operations_total",
  eventLag: "govgraph_event_delivery_lag_seconds",
  dbPool: "govgraph_db_pool_connections",
  dbStatementDuration: "govgraph_db_statement_duration_seconds",
  feedbackBacklog: "govgraph_feedback_backlog",
  qualityChecksDue: "govgraph_quality_checks_due",
} as const;

/** Outcome of a request that carried no error. */
export const OK = "ok";
/** An operation without a name. */
export const ANONYMOUS_OPERATION = "anonymous";
/** Every operation name past the cap. */
export const OTHER_OPERATION = "other";
/** How many distinct operation names one server labels before it counts the rest as "other". */
export const OPERATION_NAME_CAP = 100;

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * Operation names as labels: the first `cap` distinct names a server sees keep
 * their name, later ones become "other", so clients choosing names cannot
 * grow the series without bound.
 */
export class OperationNames {
  private readonly seen = new Set<string>();

  constructor(private readonly cap = OPERATION_NAME_CAP) {}

  label(name: string | null | undefined): string {
    if (!name) return ANONYMOUS_OPERATION;
    if (this.seen.has(name)) return name;
    if (!GRAPHQL_NAME.test(name) || this.seen.size >= this.cap) return OTHER_OPERATION;
    this.seen.add(name);
    return name;
  }
}

/**
 * A request's outcome: "ok", or the code of its first error, one of ErrorCode
 * (the engine's GRAPHQL_* codes are the client's mistakes, as subgraphs report
 * them; anything else is INTERNAL_SERVER_ERROR).
 */
export function outcomeOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string {
  if (!errors || errors.length === 0) return OK;
  const code = String(errors[0].extensions?.code ?? "");
  if (isErrorCode(code)) return code;
  return code.startsWith("GRAPHQL_") ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR;
}

/** A short, stable fingerprint of a schema's SDL: two instances serve the same schema when theirs match. */
export function schemaHash(sdl: string): string {
  return createHash("sha256").update(sdl).digest("hex").slice(0, 12);
}

export interface ServerIdentity {
  /** "gateway", or the subgraph's name. */
  service: string;
  agencyCode?: string;
  version: string;
  schemaHash: string;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One server's registry and the metrics every server has: build, requests, subscriptions. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly operations = new OperationNames();
  readonly requests: Counter<"operation" | "outcome">;
  readonly requestDuration: Histogram<"operation" | "outcome">;
  readonly subscriptions: Gauge;

  constructor(identity: ServerIdentity) {
    this.registry.setDefaultLabels(identity.agencyCode ? { service: identity.service, agency: identity.agencyCode } : { service: identity.service });
    const registers = [this.registry];
    new Gauge({ name: METRIC.build, help: "Always 1: the server's version and schema fingerprint as labels.", labelNames: ["version", "schema_hash"], registers }).set(
      { version: identity.version, schema_hash: identity.schemaHash },
      1,
    );
    this.requests = new Counter({ name: METRIC.requests, help: "GraphQL operations answered, by operation name and outcome (ok or the first error's code).", labelNames: ["operation", "outcome"], registers });
    this.requestDuration = new Histogram({
      name: METRIC.requestDuration,
      help: "Time to answer a GraphQL operation.",
      labelNames: ["operation", "outcome"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.subscriptions = new Gauge({ name: METRIC.subscriptions, help: "Subscriptions open now (at a shard: event streams it serves).", registers });
  }

  /** Counts one answered operation. */
  recordRequest(operationName: string | null | undefined, errors: Parameters<typeof outcomeOf>[0], seconds: number): void {
    const labels = { operation: this.operations.label(operationName), outcome: outcomeOf(errors) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A histogram of this registry, with the shared latency buckets. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge read when scraped (e.g. from the database). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry], collect() { return collect(this); } });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
