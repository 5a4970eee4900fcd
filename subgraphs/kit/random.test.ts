import { apportion, hashString, pick, seededRandom, shuffled } from "./random";

const draw = (random: () => number, n: number) => Array.from({ length: n }, () => random());

describe("apportion: a total split in proportion to weights, largest remainders first", () => {
  test("weights that divide the total exactly give exact shares", () => {
    expect(apportion(100, [30, 6, 5, 3, 8, 25, 15, 5, 3])).toEqual([30, 6, 5, 3, 8, 25, 15, 5, 3]);
  });

  test("the units left after rounding down go to the largest remainders", () => {
    // 7 × 1/3 = 2.33…, 7 × 2/3 = 4.67…: rounded down 2 + 4, the one left goes to the second.
    expect(apportion(7, [1, 2])).toEqual([2, 5]);
    // 138 by the agency weights: 41.4, 8.28, 6.9, 4.14, 11.04, 34.5, 20.7, 6.9, 4.14 → 134 rounded down;
    // the 4 left go to the remainders .9, .9, .7 and .5.
    expect(apportion(138, [30, 6, 5, 3, 8, 25, 15, 5, 3])).toEqual([41, 8, 7, 4, 11, 35, 21, 7, 4]);
  });

  test("a zero weight gets nothing; a zero total gives zeros", () => {
    expect(apportion(9, [0, 1, 2])).toEqual([0, 3, 6]);
    expect(apportion(0, [1, 2, 3])).toEqual([0, 0, 0]);
  });

  test("for any total and weights, the parts sum to the total exactly and each is within 1 of its exact share", () => {
    const random = seededRandom(20180316);
    for (let run = 0; run < 500; run++) {
      const total = Math.floor(random() * 3000);
      const weights = draw(random, 1 + Math.floor(random() * 12)).map((w) => 1 + Math.floor(w * 50));
      const sum = weights.reduce((a, b) => a + b, 0);
      const parts = apportion(total, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((part, i) => {
        expect(Number.isInteger(part)).toBe(true);
        expect(Math.abs(part - (total * weights[i]) / sum)).toBeLessThan(1);
      });
    }
  });
});

describe("seeded randomness is reproducible", () => {
  test("the same seed gives the same sequence", () => {
    expect(draw(seededRandom(42), 20)).toEqual(draw(seededRandom(42), 20));
  });

  test("different seeds give different sequences", () => {
    expect(draw(seededRandom(42), 5)).not.toEqual(draw(seededRandom(43), 5));
  });

  test("values lie in [0, 1) and spread over it", () => {
    const values = draw(seededRandom(7), 2000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(800);
    expect(values.filter((v) => v >= 0.5).length).toBeGreaterThan(800);
  });

  test("an agency's seed comes from its code: stable, and different between agencies", () => {
    expect(hashString("MOJ")).toBe(hashString("MOJ"));
    expect(hashString("MOJ")).not.toBe(hashString("ACA"));
    expect(draw(seededRandom(hashString("ACA")), 5)).toEqual(draw(seededRandom(hashString("ACA")), 5));
  });

  test("pick draws an item of the list, reproducibly, reaching both ends", () => {
    const items = ["CSV", "JSON", "XML"];
    const picks = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 30 }, () => pick(random, items));
    };
    expect(picks(1).every((item) => items.includes(item))).toBe(true);
    expect(picks(1)).toEqual(picks(1));
    expect(pick(() => 0, items)).toBe("CSV");
    expect(pick(() => 0.999, items)).toBe("XML");
  });
});

describe("shuffled: the items in a random order", () => {
  test("keeps every item once, leaves the list given as it was, and is reproducible from the seed", () => {
    const items = ["MOJ", "ACA", "AJ", "BOP", "SPO"];
    const once = shuffled(seededRandom(7), items);
    expect([...once].sort()).toEqual([...items].sort());
    expect(items).toEqual(["MOJ", "ACA", "AJ", "BOP", "SPO"]);
    expect(shuffled(seededRandom(7), items)).toEqual(once);
  });

  test("every order of three items comes about equally often", () => {
    const random = seededRandom(20261203);
    const counts = new Map<string, number>();
    for (let run = 0; run < 60_000; run++) {
      const order = shuffled(random, ["a", "b", "c"]).join("");
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["abc", "acb", "bac", "bca", "cab", "cba"]);
    // 10,000 expected each; a biased shuffle (e.g. j drawn from all n every step) is off by more than 1,000.
    for (const count of counts.values()) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
