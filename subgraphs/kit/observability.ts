/**
 * What a subgraph instance tells an operator (contract/metrics.ts,
 * contract/tracing.ts): its requests, its event streams, its database pool
 * and statements, and a span per SQL statement inside the request's trace.
 */
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import type { MikroORM } from "@mikro-orm/postgresql";
import { METRIC, ServerMetrics } from "../../contract/metrics";
import { ATTRIBUTE, tracer } from "../../contract/tracing";
import type { InstanceInfo } from "./instance";

/** Watches an instance's event streams (subscriptions): how many are open, how late events arrive. */
export interface StreamObserver {
  opened(): void;
  closed(): void;
  /** An event is handed to its subscriber. */
  delivered(occurredAt: Date): void;
}

const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function spanAttributes(info: InstanceInfo): Record<string, string> {
  return info.agencyCode ? { [ATTRIBUTE.service]: info.subgraph, [ATTRIBUTE.agency]: info.agencyCode } : { [ATTRIBUTE.service]: info.subgraph };
}

export function streamObserver(metrics: ServerMetrics): StreamObserver {
  const lag = metrics.histogram(METRIC.eventLag, "Time from an event's commit to its delivery to a subscriber.", [], LAG_BUCKETS);
  return {
    opened: () => metrics.subscriptions.inc(),
    closed: () => metrics.subscriptions.dec(),
    delivered: (occurredAt) => lag.observe(Math.max(0, (Date.now() - occurredAt.getTime()) / 1000)),
  };
}

/** Counts and times every operation Apollo Server answers (subscriptions are counted by their streams). */
export function requestMetricsPlugin(metrics: ServerMetrics): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          metrics.recordRequest(operationName, errors, (performance.now() - started) / 1000);
        },
      };
    },
  };
}

interface KnexQuery {
  __knexQueryUid: string;
  sql: string;
}

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/**
 * The pool's connections (used, free, waited for) at scrape time, and every
 * statement timed and traced, from the query builder's own events; a
 * transaction's statements reach the root builder's listeners too.
 */
export function observeDatabase(orm: MikroORM, metrics: ServerMetrics, info: InstanceInfo): void {
  const knex = orm.em.getConnection().getKnex();
  metrics.gauge(METRIC.dbPool, "Database connections of the instance's pool, by state (used, free, pending: requests waiting for one).", ["state"], (gauge) => {
    const pool = (knex.client as { pool?: KnexPool }).pool;
    gauge.set({ state: "used" }, pool?.numUsed() ?? 0);
    gauge.set({ state: "free" }, pool?.numFree() ?? 0);
    gauge.set({ state: "pending" }, pool?.numPendingAcquires() ?? 0);
  });
  const duration = metrics.histogram(METRIC.dbStatementDuration, "Time of one SQL statement, by outcome (ok or error).", ["outcome"], STATEMENT_BUCKETS);
  const running = new Map<string, { started: number; span?: Span }>();
  const attributes = spanAttributes(info);
  const finish = (query: KnexQuery, error?: Error) => {
    const statement = running.get(query.__knexQueryUid);
    if (!statement) return;
    running.delete(query.__knexQueryUid);
    duration.observe({ outcome: error ? "error" : "ok" }, (performance.now() - statement.started) / 1000);
    if (error) statement.span?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    statement.span?.end();
  };
  knex.on("query", (query: KnexQuery) => {
    const started = performance.now();
    // Statements outside a request (scrapes, background jobs) are timed but start no trace of their own.
    const span = trace.getActiveSpan()
      ? tracer.startSpan(`SQL ${query.sql.trimStart().split(/\s/, 1)[0].toLowerCase()}`, {
          kind: SpanKind.CLIENT,
          // The statement as written, with placeholders: values never leave the database.
          attributes: { ...attributes, "db.system": "postgresql", "db.statement": query.sql.slice(0, 2000) },
        })
      : undefined;
    running.set(query.__knexQueryUid, { started, span });
  });
  knex.on("query-response", (_response: unknown, query: KnexQuery) => finish(query));
  knex.on("query-error", (error: Error, query: KnexQuery) => finish(query, error));
}
