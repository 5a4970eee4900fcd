import { buildSchema, parse } from "graphql";
import { gatewayOwnRootFields, servedByStitched } from "./engine";

const supergraph = buildSchema(`
  type Query { agencies: [String] datasets: [String] }
  type Mutation { submitFeedback: String }
`);
const full = buildSchema(`
  type Query { agencies: [String] datasets: [String] shards: [String] }
  type Mutation { submitFeedback: String admitShard: String removeShard: String }
`);

test("the gateway's own root fields are those the supergraph lacks, of every root type", () => {
  expect([...gatewayOwnRootFields(full, supergraph)].sort()).toEqual(["admitShard", "removeShard", "shards"]);
  expect(gatewayOwnRootFields(supergraph, supergraph).size).toBe(0);
});

test("an operation goes to the stitched schema when it subscribes, or its root selects an own field or introspection, through fragments too", () => {
  const own = gatewayOwnRootFields(full, supergraph);
  const selects = (source: string, operationName?: string) => servedByStitched(parse(source), operationName, own);
  expect(selects("{ agencies datasets }")).toBe(false);
  expect(selects("{ __typename agencies }")).toBe(false);
  expect(selects("{ agencies shards }")).toBe(true);
  expect(selects("mutation { admitShard }")).toBe(true);
  expect(selects("mutation { submitFeedback }")).toBe(false);
  expect(selects("subscription { events }")).toBe(true);
  expect(selects("{ __schema { types { name } } }")).toBe(true);
  expect(selects('{ __type(name: "Shard") { name } }')).toBe(true);
  expect(selects("{ ...Registry } fragment Registry on Query { shards }")).toBe(true);
  expect(selects("{ ... on Query { ... on Query { shards } } }")).toBe(true);
  expect(selects("{ ...Catalogue } fragment Catalogue on Query { datasets }")).toBe(false);
  // Of a document with several operations, the one asked for.
  const both = "query Planned { agencies } query Own { shards }";
  expect(selects(both, "Planned")).toBe(false);
  expect(selects(both, "Own")).toBe(true);
});
