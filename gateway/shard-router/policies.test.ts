import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../subgraphs/kit/config";
import { readShardPolicies } from "./policies";

const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");

test("the checked-in supergraph declares a policy for every root field and a shard key for every entity of the agency subgraphs", () => {
  const policies = readShardPolicies(supergraph, ["catalogue", "feedback"]);
  const catalogue = policies.get("catalogue")!;
  expect(catalogue.rootFields.get("Query.dataset")).toEqual({ kind: "by", argumentPath: ["agencyCode"] });
  expect(catalogue.rootFields.get("Mutation.registerDataset")).toEqual({ kind: "by", argumentPath: ["input", "agencyCode"] });
  expect(catalogue.rootFields.get("Query.catalogueSummary")).toEqual({ kind: "fanOut", merge: "AGGREGATE", subsetArgument: "agencyCodes" });
  expect(catalogue.rootFields.get("Query.datasets")).toEqual({ kind: "fanOut", merge: "CONNECTION", subsetArgument: "agencyCodes", firstDefault: 20 });
  expect(catalogue.rootFields.get("Subscription.catalogueEvents")).toEqual({ kind: "fanOut", merge: "STREAM", subsetArgument: "agencyCodes" });
  expect(Object.fromEntries(catalogue.shardKeys)).toEqual({ Agency: "code", Dataset: "agencyCode" });
  expect(policies.get("feedback")!.shardKeys.get("Feedback")).toBe("agencyCode");
});

/** A minimal supergraph: one agency subgraph (AGENCY) and one ministry subgraph (MINISTRY). */
function supergraphWith(types: string): string {
  return `
    enum join__Graph { AGENCY @join__graph(name: "agency", url: "http://a") MINISTRY @join__graph(name: "ministry", url: "http://m") }
    ${types}`;
}

test.each([
  ["a root field without a policy", `type Query @join__type(graph: AGENCY) { things: [Int] @join__field(graph: AGENCY) }`, "declares no shard policy"],
  ["a fanned-out mutation", `type Query { a: Int @join__field(graph: MINISTRY) } type Mutation @join__type(graph: AGENCY) { doIt(agencyCodes: [ID!]): Int @join__field(graph: AGENCY) @shardFanOut(merge: "LIST", subset: "agencyCodes") }`, "must be routed to one shard"],
  ["an unknown merge strategy", `type Query @join__type(graph: AGENCY) { things: Int @join__field(graph: AGENCY) @shardFanOut(merge: "MEDIAN") }`, 'asks for merge "MEDIAN"'],
  ["routing by a missing argument", `type Query @join__type(graph: AGENCY) { thing(id: ID!): Int @join__field(graph: AGENCY) @shardBy(argument: "agencyCode") }`, "not one of its arguments"],
  ["an entity without a shard key", `type Query { a: Int @join__field(graph: MINISTRY) } type Thing @join__type(graph: AGENCY, key: "id") { id: ID! }`, "declares no @shardKey"],
  ["a shard key outside the key", `type Query { a: Int @join__field(graph: MINISTRY) } type Thing @join__type(graph: AGENCY, key: "id") @shardKey(field: "agencyCode") { id: ID! agencyCode: ID! }`, "is not in its @key"],
  ["a subscription that is not a STREAM", `type Query { a: Int @join__field(graph: MINISTRY) } type Subscription @join__type(graph: AGENCY) { ticks(agencyCodes: [ID!]): Int @join__field(graph: AGENCY) @shardFanOut(merge: "LIST") }`, "STREAM"],
])("refuses %s, naming it", (_, types, message) => {
  expect(() => readShardPolicies(supergraphWith(types), ["agency"])).toThrow(message);
});

test("fields and entities of a subgraph that is not sharded need no declaration", () => {
  const policies = readShardPolicies(supergraphWith(`type Query @join__type(graph: MINISTRY) { a: Int } type Thing @join__type(graph: MINISTRY, key: "id") { id: ID! }`), ["agency"]);
  expect(policies.get("agency")).toEqual({ rootFields: new Map(), shardKeys: new Map() });
});
