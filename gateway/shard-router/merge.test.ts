import { addAggregates, alikeOnce, concatLists, MergeError, reassembleEntities, type Json } from "./merge";

describe("LIST: the shards' lists are concatenated", () => {
  test("in the order the parts are given, each part keeping its own order", () => {
    expect(concatLists([["m1", "m2"], [], ["a1"], ["j1", "j2"]])).toEqual(["m1", "m2", "a1", "j1", "j2"]);
  });

  test("no parts, or only empty parts, give an empty list", () => {
    expect(concatLists([])).toEqual([]);
    expect(concatLists([[], []])).toEqual([]);
  });

  test("items that are lists themselves are not flattened further", () => {
    expect(concatLists([[[1, 2]], [[3]]])).toEqual([[1, 2], [3]]);
  });
});

describe("AGGREGATE: counts are added field by field", () => {
  test("sums nested counts, keeps a __typename every shard agrees on, and adds histograms element by element", () => {
    const moj = { __typename: "FeedbackStats", received: 3, answered: 2, byState: { __typename: "ByState", open: 1, closed: 2 }, histogram: [1, 0, 1] };
    const aca = { __typename: "FeedbackStats", received: 5, answered: 4, byState: { __typename: "ByState", open: 0, closed: 4 }, histogram: [0, 3, 1] };
    expect(addAggregates([moj, aca])).toEqual({
      __typename: "FeedbackStats",
      received: 8,
      answered: 6,
      byState: { __typename: "ByState", open: 1, closed: 6 },
      histogram: [1, 3, 2],
    });
  });

  test("a shard that answered null is skipped, and so is a field one shard left out", () => {
    expect(addAggregates([{ datasets: 2, retired: 1 }, null, { datasets: 5 }, { datasets: 1, retired: null }])).toEqual({ datasets: 8, retired: 1 });
  });

  test("is null when every shard answered null, or none answered", () => {
    expect(addAggregates([null, null])).toBeNull();
    expect(addAggregates([])).toBeNull();
  });

  test("a field that is null in every shard stays null", () => {
    expect(addAggregates([{ datasets: 1, note: null }, { datasets: 2, note: null }])).toEqual({ datasets: 3, note: null });
  });

  test("one shard's answer comes back unchanged", () => {
    expect(addAggregates([{ __typename: "Summary", datasets: 7, histogram: [0, 2] }])).toEqual({ __typename: "Summary", datasets: 7, histogram: [0, 2] });
  });
});

describe("AGGREGATE refuses what is not additive, naming the field's path", () => {
  const refusal = (parts: Json[]) => {
    try {
      addAggregates(parts);
    } catch (error) {
      return error;
    }
    throw new Error("addAggregates did not refuse");
  };

  test("strings that differ between shards (a median, a label)", () => {
    const error = refusal([{ summary: { __typename: "S", median: "3 days" } }, { summary: { __typename: "S", median: "5 days" } }]);
    expect(error).toBeInstanceOf(MergeError);
    expect((error as Error).message).toMatch(/^summary\.median /);
  });

  test("__typename itself, when the shards disagree", () => {
    expect((refusal([{ __typename: "A", n: 1 }, { __typename: "B", n: 1 }]) as Error).message).toMatch(/^__typename /);
  });

  test("a list that is not a histogram: lists of strings, or histograms of different lengths", () => {
    const strings = refusal([{ stats: { keywords: ["a"] } }, { stats: { keywords: ["b"] } }]);
    expect(strings).toBeInstanceOf(MergeError);
    expect((strings as Error).message).toMatch(/^stats\.keywords /);
    const lengths = refusal([{ stats: { histogram: [1, 2, 3] } }, { stats: { histogram: [1, 2] } }]);
    expect(lengths).toBeInstanceOf(MergeError);
    expect((lengths as Error).message).toMatch(/^stats\.histogram /);
  });

  test("a number in one shard and something else in another", () => {
    const error = refusal([{ stats: { received: 1 } }, { stats: { received: "1" } }]);
    expect(error).toBeInstanceOf(MergeError);
    expect((error as Error).message).toMatch(/^stats\.received /);
  });

  test("shards whose answers have different shapes are refused whichever shard comes first", () => {
    // A number then an object is refused; the same two parts the other way round must be refused too.
    expect(() => addAggregates([{ stats: 5 }, { stats: { received: 1 } }])).toThrow(MergeError);
    expect(() => addAggregates([{ stats: { received: 1 } }, { stats: 5 }])).toThrow(MergeError);
  });
});

describe("entities are reassembled in the order they were asked for", () => {
  test("each shard's answers go back to the positions its representations came from", () => {
    const owners = new Map([
      ["MOJ", [0, 2, 3]],
      ["ACA", [1, 4]],
    ]);
    const answers = new Map<string, Json[] | null>([
      ["MOJ", [{ id: "m0" }, { id: "m2" }, { id: "m3" }]],
      ["ACA", [{ id: "a1" }, { id: "a4" }]],
    ]);
    expect(reassembleEntities(5, owners, answers)).toEqual([{ id: "m0" }, { id: "a1" }, { id: "m2" }, { id: "m3" }, { id: "a4" }]);
  });

  test("a shard that did not answer leaves nulls at its positions, and positions no shard owned stay null", () => {
    const owners = new Map([
      ["MOJ", [0, 3]],
      ["ACA", [1]],
      ["AJ", [4]],
    ]);
    const answers = new Map<string, Json[] | null>([
      ["MOJ", ["m0", "m3"]],
      ["ACA", null],
    ]);
    // Position 2 was not routed to any shard; AJ has no entry in the answers at all.
    expect(reassembleEntities(5, owners, answers)).toEqual(["m0", null, null, "m3", null]);
  });

  test("a shard that answered fewer entities than it was asked for leaves the missing ones null", () => {
    const owners = new Map([["MOJ", [0, 1, 2]]]);
    expect(reassembleEntities(3, owners, new Map([["MOJ", ["m0"]]]))).toEqual(["m0", null, null]);
  });
});

describe("a fanned-out field no shard answered: each error once", () => {
  const tooMany = (agencyCode: string) => ({ message: "Invalid input. first: must be between 0 and 100", extensions: { code: "BAD_USER_INPUT", agencyCode, subgraph: "catalogue" } });
  const down = (agencyCode: string) => ({ message: `The ${agencyCode} shard did not answer.`, extensions: { code: "SHARD_UNAVAILABLE", agencyCode, subgraph: "catalogue" } });

  test("the same refusal from every shard is one error naming them all, in their order", () => {
    expect(alikeOnce([tooMany("MOJ"), tooMany("ACA"), tooMany("AJ")])).toEqual([
      { message: "Invalid input. first: must be between 0 and 100", extensions: { code: "BAD_USER_INPUT", subgraph: "catalogue", agencyCodes: ["MOJ", "ACA", "AJ"] } },
    ]);
  });

  test("errors of one shard each keep their agency; a lone refusal is left as it was", () => {
    expect(alikeOnce([down("MOJ"), down("ACA"), tooMany("AJ")])).toEqual([down("MOJ"), down("ACA"), tooMany("AJ")]);
  });

  test("errors alike in message but not in their details stay apart", () => {
    const withFields = (agencyCode: string, path: string) => ({ ...tooMany(agencyCode), extensions: { ...tooMany(agencyCode).extensions, fields: [{ path }] } });
    expect(alikeOnce([withFields("MOJ", "first"), withFields("ACA", "last")])).toHaveLength(2);
  });
});
