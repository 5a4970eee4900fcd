/**
 * What the gateway tells an operator (contract/metrics.ts, contract/tracing.ts):
 * GET /metrics with its requests by operation and outcome, its open
 * subscriptions, per shard (subgraph, agency) the calls, their outcome
 * (ok, error, timeout, refused) and time, and the state of the shard's last
 * readiness probe, and the same per subgraph that is not sharded; and the
 * trace of each request: a span per shard or subgraph call and
 * `traceparent` on every upstream fetch, so each subgraph continues it.
 */
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { getOperationAST } from "graphql";
import type { Counter, Histogram } from "prom-client";
import { METRIC, schemaHash, ServerMetrics, VERSION } from "../contract/metrics";
import { ATTRIBUTE, injectTraceContext, tracer } from "../contract/tracing";
import type { HealthMonitor, ShardState } from "./registry/health";
import type { ShardCallObserver } from "./shard-router/executor";
import type { RoutingTable } from "./shard-router/routing-table";
import type { CallAnswer, CallObserver } from "./upstream-call";

const SHARD_STATES: ShardState[] = ["UP", "DOWN", "UNKNOWN"];

export function gatewayMetrics(supergraph: string): ServerMetrics {
  return new ServerMetrics({ service: "gateway", version: VERSION, schemaHash: schemaHash(supergraph) });
}

/** Times, counts (by `labels` and outcome) and traces one upstream call. */
async function observeCall(
  { span: name, labels, calls, duration }: { span: string; labels: Record<string, string>; calls: Counter<string>; duration: Histogram<string> },
  call: () => Promise<CallAnswer>,
): Promise<CallAnswer> {
  const attributes = { [ATTRIBUTE.service]: "gateway", [ATTRIBUTE.subgraph]: labels.subgraph, ...(labels.agency ? { [ATTRIBUTE.agency]: labels.agency } : {}) };
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const started = performance.now();
    const answer = await call();
    calls.inc({ ...labels, outcome: answer.ok ? "ok" : answer.timedOut ? "timeout" : answer.refused ? "refused" : "error" });
    duration.observe(labels, (performance.now() - started) / 1000);
    if (!answer.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: answer.reason });
    span.end();
    return answer;
  });
}

/** Times, counts and traces every shard call. */
export function shardCallObserver(metrics: ServerMetrics): ShardCallObserver {
  const calls = metrics.counter(
    METRIC.shardCalls,
    "Calls to agency shards, by subgraph, agency and outcome (ok, error, timeout, refused: not sent, the shard being down or its circuit open).",
    ["subgraph", "agency", "outcome"],
  );
  const duration = metrics.histogram(METRIC.shardCallDuration, "Time of one call to an agency shard, by subgraph and agency.", ["subgraph", "agency"]);
  return (shard, call) => observeCall({ span: `${shard.subgraph} shard ${shard.agencyCode}`, labels: { subgraph: shard.subgraph, agency: shard.agencyCode }, calls, duration }, call);
}

/** Times, counts and traces every query and mutation sent to a subgraph that is not sharded (subgraph-calls.ts). */
export function subgraphCallObserver(metrics: ServerMetrics): CallObserver<string> {
  const calls = metrics.counter(
    METRIC.subgraphCalls,
    "Calls to the subgraphs that are not sharded (metrics, advisory; every subgraph in standard mode), by subgraph and outcome (ok, error: not reached, timeout).",
    ["subgraph", "outcome"],
  );
  const duration = metrics.histogram(METRIC.subgraphCallDuration, "Time of one call to a subgraph that is not sharded, by subgraph.", ["subgraph"]);
  return (subgraph, call) => observeCall({ span: `${subgraph} subgraph`, labels: { subgraph }, calls, duration }, call);
}

/** Counts the operations one subgraph served whole, sent to it as they were (whole-operations.ts). */
export function wholeOperationObserver(metrics: ServerMetrics): (subgraph: string) => void {
  const operations = metrics.counter(METRIC.wholeOperations, "Operations one subgraph served whole, sent to it as they were instead of planned, by subgraph.", ["subgraph"]);
  return (subgraph) => operations.inc({ subgraph });
}

/**
 * Each routed shard's state from the registry's readiness probes, one series
 * per state (1 for the current one). A circuit breaker's state belongs here
 * too once the router has one.
 */
export function observeShardStates(metrics: ServerMetrics, routing: RoutingTable, health: HealthMonitor): void {
  metrics.gauge(METRIC.shardState, "State of each shard's last readiness probe (1 for the current state).", ["subgraph", "agency", "state"], (gauge) => {
    gauge.reset();
    for (const subgraph of routing.subgraphs()) {
      for (const [agency, url] of routing.shardsOf(subgraph)) {
        const current = health.of(url).state;
        for (const state of SHARD_STATES) gauge.set({ subgraph, agency, state }, state === current ? 1 : 0);
      }
    }
  });
}

/**
 * Serves GET /metrics, counts and times every operation answered over HTTP
 * and every open subscription, names the operation on the request's span,
 * and propagates the trace on every upstream fetch.
 */
export function useObservability(metrics: ServerMetrics): GatewayPlugin {
  const requests = new WeakMap<Request, { started: number; operationName?: string }>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === "/metrics" && request.method === "GET") {
        return metrics.text().then((body) => endResponse(new fetchAPI.Response(body, { headers: { "content-type": metrics.contentType } })));
      }
      requests.set(request, { started: performance.now() });
    },
    onParams({ request, params }) {
      const seen = requests.get(request);
      if (seen) seen.operationName = params.operationName;
    },
    // The operation's name as the document gives it, when the client did not name it in the request.
    onParse({ context }) {
      const seen = requests.get((context as { request?: Request }).request!);
      if (!seen) return;
      return ({ result }) => {
        if (result instanceof Error || !result || !("kind" in result)) return;
        seen.operationName = getOperationAST(result, seen.operationName)?.name?.value ?? seen.operationName;
        if (seen.operationName) trace.getActiveSpan()?.setAttribute(ATTRIBUTE.operation, seen.operationName);
      };
    },
    onExecutionResult({ request, result }) {
      const seen = requests.get(request);
      // Streams (subscriptions over HTTP) are counted as subscriptions, not timed as requests.
      if (!seen || !result || Symbol.asyncIterator in result) return;
      metrics.recordRequest(seen.operationName, result.errors, (performance.now() - seen.started) / 1000);
    },
    onSubscribe() {
      metrics.subscriptions.inc();
      let open = true;
      const close = () => {
        if (open) metrics.subscriptions.dec();
        open = false;
      };
      return {
        onSubscribeError: close,
        onSubscribeResult: ({ result }) => {
          if (!(Symbol.asyncIterator in result)) return close();
          return { onEnd: close };
        },
      };
    },
    onFetch({ options, setOptions }) {
      setOptions({ ...options, headers: injectTraceContext({ ...options.headers }) });
    },
  };
}
