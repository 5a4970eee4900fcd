import { AnswerCache } from "./answer-cache";

function counting<T>(value: T) {
  let calls = 0;
  return { compute: async () => (calls += 1, value), calls: () => calls };
}

test("an answer is computed once and shared until it expires", async () => {
  let now = 0;
  const cache = new AnswerCache<number>(1000, 10, () => now);
  const source = counting(42);
  expect(await Promise.all([cache.get("k", null, source.compute), cache.get("k", null, source.compute)])).toEqual([42, 42]);
  now = 999;
  await cache.get("k", null, source.compute);
  expect(source.calls()).toBe(1);
  now = 1000;
  await cache.get("k", null, source.compute);
  expect(source.calls()).toBe(2);
});

test("an expired answer serves while one request computes the next, which then replaces it", async () => {
  let now = 0;
  let value = 1;
  let release: () => void = () => undefined;
  let calls = 0;
  const compute = () => {
    calls += 1;
    const answer = value;
    return calls === 1 ? Promise.resolve(answer) : new Promise<number>((resolveLater) => (release = () => resolveLater(answer)));
  };
  const cache = new AnswerCache<number>(1000, 10, () => now);
  expect(await cache.get("k", null, compute)).toBe(1);
  value = 2;
  now = 1500;
  // Past its lifetime: the old answer at once, to every request, while one computation runs.
  expect(await Promise.all([cache.get("k", null, compute), cache.get("k", null, compute)])).toEqual([1, 1]);
  expect(calls).toBe(2);
  release();
  await new Promise((settle) => setImmediate(settle));
  expect(await cache.get("k", null, compute)).toBe(2);
  expect(calls).toBe(2);
});

test("an answer past twice its lifetime is computed again before it is served", async () => {
  let now = 0;
  const cache = new AnswerCache<number>(1000, 10, () => now);
  const old = counting(1);
  await cache.get("k", null, old.compute);
  now = 2000;
  expect(await cache.get("k", null, async () => 2)).toBe(2);
});

test("a change during the computation of the next answer drops both: the answer after the change is computed anew", async () => {
  let now = 0;
  const cache = new AnswerCache<string>(1000, 10, () => now);
  await cache.get("k", ["MOJ"], async () => "before");
  now = 1500;
  let release: () => void = () => undefined;
  const stale = new Promise<string>((resolveLater) => (release = () => resolveLater("read before the change")));
  expect(await cache.get("k", ["MOJ"], () => stale)).toBe("before");
  cache.invalidate("MOJ");
  release();
  await new Promise((settle) => setImmediate(settle));
  expect(await cache.get("k", ["MOJ"], async () => "after")).toBe("after");
});

test("a change of an agency drops the answers whose scope includes it, and ministry-wide ones", async () => {
  const cache = new AnswerCache<string>(60_000);
  const moj = counting("MOJ");
  const aca = counting("ACA");
  const all = counting("all");
  await Promise.all([cache.get("moj", ["MOJ"], moj.compute), cache.get("aca", ["ACA"], aca.compute), cache.get("all", null, all.compute)]);
  cache.invalidate("MOJ");
  await Promise.all([cache.get("moj", ["MOJ"], moj.compute), cache.get("aca", ["ACA"], aca.compute), cache.get("all", null, all.compute)]);
  expect([moj.calls(), aca.calls(), all.calls()]).toEqual([2, 1, 2]);
  cache.invalidate(null);
  await cache.get("aca", ["ACA"], aca.compute);
  expect(aca.calls()).toBe(2);
});

test("a failed answer is not kept", async () => {
  const cache = new AnswerCache<number>(60_000);
  await expect(cache.get("k", null, () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
  expect(await cache.get("k", null, async () => 7)).toBe(7);
});

test("a full cache forgets expired answers first, then the oldest", async () => {
  let now = 0;
  const cache = new AnswerCache<string>(100, 2, () => now);
  await cache.get("old", null, async () => "old");
  now = 50;
  await cache.get("newer", null, async () => "newer");
  now = 120;
  await cache.get("third", null, async () => "third");
  // "old" expired at 100 and made room; "newer" is still kept.
  const newer = counting("newer");
  await cache.get("newer", null, newer.compute);
  expect([cache.size, newer.calls()]).toEqual([2, 0]);
  await cache.get("fourth", null, async () => "fourth");
  expect(cache.size).toBe(2);
  const third = counting("third");
  await cache.get("third", null, third.compute);
  expect(third.calls()).toBe(0);
});
