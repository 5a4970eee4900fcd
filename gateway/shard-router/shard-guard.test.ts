import { ShardGuard } from "./shard-guard";

const URL_A = "http://a/graphql";

describe("circuit breaker", () => {
  it("opens after consecutive failures, and lets a trial call through after the cool-down", async () => {
    const guard = new ShardGuard({ concurrency: 1, failureThreshold: 3, cooldownMs: 50 });
    guard.record(URL_A, false);
    guard.record(URL_A, false);
    expect(guard.refusal(URL_A)).toBeNull();
    guard.record(URL_A, false);
    expect(guard.refusal(URL_A)).toMatch(/could not be reached 3 times in a row/);
    await new Promise((resolveWait) => setTimeout(resolveWait, 80));
    expect(guard.refusal(URL_A)).toBeNull();
    // The trial fails: open again at once.
    guard.record(URL_A, false);
    expect(guard.refusal(URL_A)).not.toBeNull();
  });

  it("a success in between resets the count", () => {
    const guard = new ShardGuard({ concurrency: 1, failureThreshold: 2, cooldownMs: 60_000 });
    guard.record(URL_A, false);
    guard.record(URL_A, true);
    guard.record(URL_A, false);
    expect(guard.refusal(URL_A)).toBeNull();
  });

  it("refuses a shard the health checks mark DOWN, and closes once a probe after the opening sees it UP", () => {
    let health = { state: "DOWN", checkedAt: new Date() as Date | null };
    const guard = new ShardGuard({ concurrency: 1, failureThreshold: 1, cooldownMs: 60_000, healthOf: () => health });
    expect(guard.refusal(URL_A)).toMatch(/down \(health checks\)/);
    health = { state: "UP", checkedAt: new Date(Date.now() - 1000) };
    guard.record(URL_A, false);
    expect(guard.refusal(URL_A)).not.toBeNull();
    health = { state: "UP", checkedAt: new Date(Date.now() + 1000) };
    expect(guard.refusal(URL_A)).toBeNull();
  });
});

describe("concurrency limit", () => {
  it("lets `concurrency` calls in at once; the next waits for a release, and an aborted waiter gives up its turn", async () => {
    const guard = new ShardGuard({ concurrency: 2, failureThreshold: 5, cooldownMs: 1000 });
    const never = new AbortController().signal;
    const first = await guard.acquire(URL_A, never);
    await guard.acquire(URL_A, never);
    const impatient = new AbortController();
    const gaveUp = guard.acquire(URL_A, impatient.signal);
    let thirdIn = false;
    const third = guard.acquire(URL_A, never).then((release) => {
      thirdIn = true;
      return release;
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, 10));
    expect(thirdIn).toBe(false);
    impatient.abort();
    await expect(gaveUp).rejects.toThrow();
    first();
    await third;
    expect(thirdIn).toBe(true);
  });
});
