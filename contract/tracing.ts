/**
 * OpenTelemetry traces: off unless an OTLP endpoint is configured
 * (GOVGRAPH_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT) or a test gives an
 * exporter. When off, the API's no-op tracer makes every span below free.
 *
 * One trace follows a request across processes: the gateway's request span,
 * a span per shard call, W3C `traceparent` on every upstream fetch, each
 * subgraph's request span continuing it, and a span per SQL statement.
 * Spans name where they ran (`govgraph.service`, `govgraph.agency`), since
 * one process may serve many instances.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import type * as OtlpExporter from "@opentelemetry/exporter-trace-otlp-http";
import type * as Resources from "@opentelemetry/resources";
import type * as TraceSdk from "@opentelemetry/sdk-trace-node";
import type { SpanExporter } from "@opentelemetry/sdk-trace-node";
import { config } from "./config";

export const tracer = trace.getTracer("govgraph");

export const ATTRIBUTE = { service: "govgraph.service", agency: "govgraph.agency", subgraph: "govgraph.subgraph", operation: "graphql.operation.name" } as const;

export interface TracingOptions {
  /** The process's name in the tracing backend (resource `service.name`). */
  serviceName: string;
  /** Where spans go, each as it ends (tests); default: batches over OTLP/HTTP to `endpoint`. */
  exporter?: SpanExporter;
  /** The OTLP collector's base URL (default GOVGRAPH_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT); without it or an exporter, tracing stays off. */
  endpoint?: string;
}

export interface Tracing {
  /** Sends what is buffered. */
  flush(): Promise<void>;
  /** Flushes and turns tracing off again. */
  stop(): Promise<void>;
}

/** Turns tracing on for this process, when an exporter or an endpoint is given. */
export function startTracing({ serviceName, exporter, endpoint = config.otlpEndpoint }: TracingOptions): Tracing | undefined {
  if (!exporter && !endpoint) return undefined;
  // Loaded only when tracing is on: otherwise the SDK and exporter would lengthen every process's start for nothing.
  const { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-node") as typeof TraceSdk;
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http") as typeof OtlpExporter;
  const { resourceFromAttributes } = require("@opentelemetry/resources") as typeof Resources;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [
      exporter
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint!.replace(/\/$/, "")}/v1/traces` })),
    ],
  });
  provider.register();
  return {
    flush: () => provider.forceFlush(),
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The active trace, for log lines (contract/logger.ts). */
export function traceFields(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** Adds the active trace context (`traceparent`) to outgoing headers. */
export function injectTraceContext(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/**
 * Serves one HTTP request inside a server span that continues the caller's
 * trace (its `traceparent`), ending when the response is sent.
 */
export function traceRequest(req: IncomingMessage, res: ServerResponse, attributes: Attributes, serve: () => void): void {
  const parent = propagation.extract(context.active(), req.headers as IncomingHttpHeaders);
  // Express's `originalUrl` keeps the path a router mounted at.
  const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? "").split("?")[0];
  const span = tracer.startSpan(`${req.method} ${path}`, { kind: SpanKind.SERVER, attributes }, parent);
  res.once("close", () => {
    span.setAttribute("http.response.status_code", res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), serve);
}
