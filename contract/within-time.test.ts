import { withinTime } from "./within-time";

const never = () => new Promise<never>(() => undefined);

describe("withinTime: a call bounded in time and by its client", () => {
  test("an answer in time is the call's value, and the call's signal is aborted once it is over", async () => {
    let seen: AbortSignal | undefined;
    expect(await withinTime(1000, undefined, async (signal) => ((seen = signal), 42))).toEqual({ value: 42 });
    expect(seen!.aborted).toBe(true);
  });

  test("no answer in time: timed out, with the work's signal aborted so that it can stop", async () => {
    let seen: AbortSignal | undefined;
    expect(await withinTime(20, undefined, (signal) => ((seen = signal), never()))).toEqual({ timedOut: true });
    expect(String(seen!.reason)).toContain("no answer within 20 ms");
  });

  test("a client that leaves ends the call at once, even one that had left before it began", async () => {
    const client = new AbortController();
    const leaving = withinTime(60_000, client.signal, never);
    client.abort();
    expect(await leaving).toEqual({ timedOut: true });
    expect(await withinTime(60_000, client.signal, never)).toEqual({ timedOut: true });
  });

  test("what the work throws is its failure", async () => {
    const refused = new Error("connect ECONNREFUSED");
    expect(await withinTime(1000, undefined, () => Promise.reject(refused))).toEqual({ failure: refused });
  });
});
