import { ANONYMOUS_OPERATION, METRIC, OK, OperationNames, OTHER_OPERATION, outcomeOf, schemaHash, ServerMetrics } from "./metrics";
import { parseMetrics, total } from "./metrics-reading";

describe("operation names as labels", () => {
  test("the first names keep their name, later ones count as other, unnamed ones as anonymous", () => {
    const names = new OperationNames(2);
    expect([names.label("Datasets"), names.label("Feedback"), names.label("Third"), names.label("Datasets"), names.label(undefined), names.label("")]).toEqual([
      "Datasets",
      "Feedback",
      OTHER_OPERATION,
      "Datasets",
      ANONYMOUS_OPERATION,
      ANONYMOUS_OPERATION,
    ]);
  });

  test("a name that is not a GraphQL name never becomes a label, nor takes a place", () => {
    const names = new OperationNames(1);
    expect(names.label('x"} 1\nevil{a="')).toBe(OTHER_OPERATION);
    expect(names.label("Real")).toBe("Real");
  });
});

describe("outcomes", () => {
  test("no error is ok; a GovGraph code is kept; the engine's GRAPHQL_* codes are the client's; anything else is internal", () => {
    expect(outcomeOf(undefined)).toBe(OK);
    expect(outcomeOf([])).toBe(OK);
    expect(outcomeOf([{ extensions: { code: "SHARD_UNAVAILABLE" } }, { extensions: { code: "FORBIDDEN" } }])).toBe("SHARD_UNAVAILABLE");
    expect(outcomeOf([{ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }])).toBe("BAD_USER_INPUT");
    expect(outcomeOf([{ extensions: { code: "SOMETHING_A_CLIENT_INVENTED" } }])).toBe("INTERNAL_SERVER_ERROR");
    expect(outcomeOf([{}])).toBe("INTERNAL_SERVER_ERROR");
  });
});

test("a schema's fingerprint changes with its text only", () => {
  expect(schemaHash("type Query { a: Int }")).toBe(schemaHash("type Query { a: Int }"));
  expect(schemaHash("type Query { a: Int }")).not.toBe(schemaHash("type Query { b: Int }"));
});

test("a server's registry labels every series with its service and agency, and counts requests by operation and outcome", async () => {
  const metrics = new ServerMetrics({ service: "catalogue", agencyCode: "ACA", version: "1.2.3", schemaHash: "abc" });
  metrics.recordRequest("Datasets", undefined, 0.02);
  metrics.recordRequest("Datasets", [{ extensions: { code: "FORBIDDEN" } }], 0.01);
  const samples = parseMetrics(await metrics.text());
  expect(samples.find((s) => s.name === METRIC.build)?.labels).toEqual({ service: "catalogue", agency: "ACA", version: "1.2.3", schema_hash: "abc" });
  expect(total(samples, METRIC.requests, (l) => l.outcome === OK && l.operation === "Datasets" && l.agency === "ACA")).toBe(1);
  expect(total(samples, METRIC.requests, (l) => l.outcome === "FORBIDDEN")).toBe(1);
  expect(total(samples, `${METRIC.requestDuration}_count`)).toBe(2);
});
