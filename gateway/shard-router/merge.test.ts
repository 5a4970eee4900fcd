import { addAggregates, concatLists, MergeError, reassembleEntities } from "./merge";

describe("AGGREGATE", () => {
  test("adds counts field by field, recursively, keeping equal strings and skipping shards that answered null", () => {
    const parts = [
      { __typename: "Stats", received: 3, nested: { overdue: 1 }, histogram: [1, 0, 2] },
      null,
      { __typename: "Stats", received: 4, nested: { overdue: 0 }, histogram: [0, 5, 1] },
    ];
    expect(addAggregates(parts)).toEqual({ __typename: "Stats", received: 7, nested: { overdue: 1 }, histogram: [1, 5, 3] });
  });

  test("refuses what is not additive, naming the field", () => {
    expect(() => addAggregates([{ median: "a" }, { median: "b" }])).toThrow(new MergeError('median is not additive: shards answered ["a","b"]'));
    expect(() => addAggregates([{ h: [1, 2] }, { h: [1] }])).toThrow(/h is a list that is not a histogram/);
    expect(() => addAggregates([{ n: 1 }, { n: "1" }])).toThrow(/n mixes numbers/);
  });

  test("is null when no shard answered", () => {
    expect(addAggregates([null, null])).toBeNull();
  });
});

test("LIST concatenates the shards' parts in the order given", () => {
  expect(concatLists([[1, 2], [], [3]])).toEqual([1, 2, 3]);
});

test("entities go back to the positions they were asked at; a shard that did not answer leaves nulls", () => {
  const owners = new Map([
    ["MOJ", [0, 3]],
    ["ACA", [1, 2]],
    ["AJ", [4]],
  ]);
  const answers = new Map<string, string[] | null>([
    ["MOJ", ["m0", "m3"]],
    ["ACA", ["a1", "a2"]],
    ["AJ", null],
  ]);
  expect(reassembleEntities(6, owners, answers)).toEqual(["m0", "a1", "a2", "m3", null, null]);
});
