import { backoffDelay } from "./backoff";

test("retry delays double from the first, never pass the cap, and are jittered within their half", () => {
  const lowest = () => 0;
  const highest = () => 0.999999;
  expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, 100, 5000, lowest))).toEqual([50, 100, 200, 400]);
  expect(backoffDelay(10, 100, 5000, lowest)).toBe(2500);
  expect(backoffDelay(10, 100, 5000, highest)).toBeLessThan(5000);
  expect(backoffDelay(3, 100, 5000, highest)).toBeGreaterThan(799);
});
