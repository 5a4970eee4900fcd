/**
 * Shard protection and error texts: a shard the health checks mark DOWN is
 * not called at all and answers SHARD_UNAVAILABLE at once; an unreachable
 * shard's error names the agency and the kind of failure, never an address.
 */
import { startTrippedGateway } from "./tripwire";

test("a DOWN shard answers SHARD_UNAVAILABLE at once, without being called", async () => {
  // A long shard timeout: answering within it shows the DOWN shards were not waited for.
  const platform = await startTrippedGateway(["MOJ", "ACA"], { healthIntervalMs: 100, shardTimeoutMs: 30_000 }, false);
  try {
    // The first health round runs at start; give it time on a loaded machine, and warm the gateway up.
    await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
    await fetch(platform.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
    const started = performance.now();
    const response = await fetch(platform.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ catalogueSummary { datasets } }" }),
    });
    const ms = performance.now() - started;
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    // With every shard down the field is null, with the error of one of them.
    expect(body.errors[0]).toMatchObject({ path: ["catalogueSummary"], extensions: { code: "SHARD_UNAVAILABLE" } });
    expect(body.errors[0].message).toMatch(/^The catalogue shard of (MOJ|ACA) is unavailable: it is down/);
    expect(platform.calls()).toBe(0);
    // Far below the shard timeout; the measured time is in the benchmark.
    expect(ms).toBeLessThan(10_000);
  } finally {
    await platform.stop();
  }
});

test("an unreachable shard's error names the agency and the failure, not its address", async () => {
  const platform = await startTrippedGateway(["MOJ"], { healthIntervalMs: 60_000 });
  const port = new URL(platform.tripwires[0].url).port;
  await platform.tripwires[0].close();
  try {
    const response = await fetch(platform.gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ dataset(agencyCode: "MOJ", id: "00000000-0000-0000-0000-000000000000") { title } }' }),
    });
    const text = await response.text();
    // Whether the health checks saw it go first or the call found it closed, the text says what, not where.
    expect(JSON.parse(text).errors[0]).toMatchObject({
      message: expect.stringMatching(/^The catalogue shard of MOJ is unavailable: it (could not be reached|is down)/),
      extensions: { code: "SHARD_UNAVAILABLE", agencyCode: "MOJ" },
    });
    expect(text).not.toContain("127.0.0.1");
    expect(text).not.toContain(port);
    expect(text).not.toMatch(/ECONNREFUSED|stack|\/work\//);
  } finally {
    await platform.stop();
  }
});
