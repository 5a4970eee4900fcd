/**
 * One trace follows a request from the gateway into every shard it reaches
 * and down to their SQL. Gateway and shards run in this one process, so the
 * spans say where they ran (govgraph.service, govgraph.agency); that they
 * join one trace proves the trace context crossed HTTP (`traceparent`).
 */
import pino from "pino";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { rootLogger } from "../contract/logger";
import { ATTRIBUTE, startTracing, traceFields, tracer, type Tracing } from "../contract/tracing";
import { startTestTopology, type TestTopology } from "./topology";

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let t: TestTopology;

beforeAll(async () => {
  tracing = startTracing({ serviceName: "govgraph-test", exporter })!;
  t = await startTestTopology(["MOJ", "ACA"]);
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await tracing?.stop();
});

/** "gateway", or the instance ("catalogue:MOJ") a span ran in. */
const where = (span: ReadableSpan) => {
  const service = span.attributes[ATTRIBUTE.service];
  return service !== "gateway" && span.attributes[ATTRIBUTE.agency] ? `${service}:${span.attributes[ATTRIBUTE.agency]}` : String(service);
};

test("tracing is off unless an exporter or an OTLP endpoint is given", () => {
  expect(startTracing({ serviceName: "govgraph-test-off" })).toBeUndefined();
});

test("a request fanned out to two shards is one trace, with spans from the gateway, each shard and their SQL", async () => {
  exporter.reset();
  const answer = await t.query(`query BothCatalogues { datasets(first: 2) { totalCount edges { node { identifier } } } }`);
  expect(answer.errors).toBeUndefined();
  await tracing.flush();
  const spans = exporter.getFinishedSpans();

  const request = spans.find((span) => span.attributes[ATTRIBUTE.operation] === "BothCatalogues");
  expect(request).toBeDefined();
  expect(where(request!)).toBe("gateway");
  const trace = spans.filter((span) => span.spanContext().traceId === request!.spanContext().traceId);
  const byId = new Map(trace.map((span) => [span.spanContext().spanId, span]));
  const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? "");

  for (const agency of ["MOJ", "ACA"]) {
    // The gateway's call to the shard, inside the request…
    const call = trace.find((span) => where(span) === "gateway" && span.attributes[ATTRIBUTE.subgraph] === "catalogue" && span.attributes[ATTRIBUTE.agency] === agency);
    expect(call && parentOf(call)).toBe(request);
    // …continued by the shard's own request span (its parent came over HTTP)…
    const served = trace.find((span) => where(span) === `catalogue:${agency}` && span.name === "POST /graphql");
    expect(served && parentOf(served)).toBe(call);
    // …under which its SQL ran.
    const statements = trace.filter((span) => where(span) === `catalogue:${agency}` && span.attributes["db.statement"]);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(parentOf(statement)).toBe(served);
  }
  // Nothing else in the trace ran anywhere but the gateway and those two shards.
  expect([...new Set(trace.map(where))].sort()).toEqual(["catalogue:ACA", "catalogue:MOJ", "gateway"]);
});

test("a log line written inside a span carries its trace id", () => {
  expect(traceFields()).toEqual({});
  tracer.startActiveSpan("logging", (span) => {
    expect(traceFields()).toEqual({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
    span.end();
  });
  // The process's logger adds those fields to every line.
  expect((rootLogger as unknown as Record<symbol, unknown>)[pino.symbols.mixinSym]).toBe(traceFields);
});
