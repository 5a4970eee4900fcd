import { instanceStatus, parseMetrics, quantile, total } from "./metrics-reading";

const scrape = (requests: number, errors: number, buckets: [string, number][], lag: [string, number][] = []) =>
  parseMetrics(
    [
      "# HELP govgraph_build_info Always 1.",
      "# TYPE govgraph_build_info gauge",
      'govgraph_build_info{version="0.1.0",schema_hash="0123456789ab",service="catalogue",agency="MOJ"} 1',
      `govgraph_requests_total{operation="Datasets",outcome="ok",service="catalogue",agency="MOJ"} ${requests}`,
      `govgraph_requests_total{operation="Datasets",outcome="FORBIDDEN",service="catalogue",agency="MOJ"} ${errors}`,
      ...buckets.map(([le, n]) => `govgraph_request_duration_seconds_bucket{le="${le}",operation="Datasets",outcome="ok"} ${n}`),
      ...lag.map(([le, n]) => `govgraph_event_delivery_lag_seconds_bucket{le="${le}"} ${n}`),
    ].join("\n"),
  );

test("the text format reads back into samples, labels unescaped", () => {
  const [sample] = parseMetrics('# TYPE x counter\nx_total{a="one \\"quoted\\" word",b="2"} 3.5\n');
  expect(sample).toEqual({ name: "x_total", labels: { a: 'one "quoted" word', b: "2" }, value: 3.5 });
  expect(total(parseMetrics("y 1\ny 2\nz 4"), "y")).toBe(3);
});

test("a quantile interpolates within its bucket, over what was observed between two scrapes", () => {
  const before = scrape(0, 0, [["0.1", 10], ["1", 10], ["+Inf", 10]]);
  // 100 more observations: 50 under 0.1 s, 50 between 0.1 and 1 s.
  const after = scrape(0, 0, [["0.1", 60], ["1", 110], ["+Inf", 110]]);
  expect(quantile(0.5, "govgraph_request_duration_seconds", after, before)).toBeCloseTo(0.1);
  expect(quantile(0.99, "govgraph_request_duration_seconds", after, before)).toBeCloseTo(0.1 + 0.9 * (49 / 50));
  expect(quantile(0.99, "govgraph_request_duration_seconds", before, before)).toBeNull();
  // Beyond the last finite bound, the bound is all one can say.
  expect(quantile(0.99, "govgraph_request_duration_seconds", scrape(0, 0, [["0.1", 0], ["1", 0], ["+Inf", 5]]))).toBe(1);
});

test("an instance's status: rates and p99 over the interval; a failed scrape is down", () => {
  const before = scrape(100, 1, [["0.1", 100], ["+Inf", 101]], [["1", 0], ["+Inf", 0]]);
  const after = scrape(120, 3, [["0.1", 122], ["+Inf", 123]], [["1", 4], ["+Inf", 4]]);
  expect(instanceStatus("catalogue:MOJ", before, after, 2)).toEqual({
    instance: "catalogue:MOJ",
    up: true,
    version: "0.1.0",
    schemaHash: "0123456789ab",
    requestsPerSecond: 11,
    // 22 requests all under 0.1 s: the 99th percentile interpolates to 0.99 × 0.1 s.
    p99Ms: 99,
    errors: 2,
    eventLagP99Ms: 990,
  });
  expect(instanceStatus("catalogue:ACA", before, null, 2)).toMatchObject({ instance: "catalogue:ACA", up: false, requestsPerSecond: null });
});
