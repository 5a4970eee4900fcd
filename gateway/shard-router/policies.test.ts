import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../contract/config";
import { readShardPolicies } from "./policies";

describe("the checked-in supergraph", () => {
  const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
  const policies = readShardPolicies(supergraph, ["catalogue", "feedback"]);
  const catalogue = policies.get("catalogue")!;
  const feedback = policies.get("feedback")!;

  test("routes a dataset by its agencyCode argument", () => {
    expect(catalogue.rootFields.get("Query.dataset")).toEqual({ kind: "shardBy", argumentPath: ["agencyCode"] });
  });

  test("routes registering a dataset by input.agencyCode", () => {
    expect(catalogue.rootFields.get("Mutation.registerDataset")).toEqual({ kind: "shardBy", argumentPath: ["input", "agencyCode"] });
  });

  test("fans the catalogue summary out to the agencies in agencyCodes and adds the answers", () => {
    expect(catalogue.rootFields.get("Query.catalogueSummary")).toEqual({ kind: "AGGREGATE", subsetArgument: "agencyCodes" });
  });

  test("merges the dataset list as a keyset connection and fans subscriptions in as a stream", () => {
    expect(catalogue.rootFields.get("Query.datasets")).toEqual({ kind: "CONNECTION", subsetArgument: "agencyCodes", firstDefault: 20 });
    expect(catalogue.rootFields.get("Subscription.catalogueEvents")).toEqual({ kind: "STREAM", subsetArgument: "agencyCodes" });
  });

  test("names the shard key of each agency entity", () => {
    expect(catalogue.shardKeys.get("Dataset")).toBe("agencyCode");
    expect(catalogue.shardKeys.get("Agency")).toBe("code");
    expect(feedback.shardKeys.get("Feedback")).toBe("agencyCode");
  });

  test("keeps each subgraph's fields to itself and leaves ministry subgraphs' fields out", () => {
    expect(feedback.rootFields.has("Query.dataset")).toBe(false);
    expect(catalogue.rootFields.has("Query.feedback")).toBe(false);
    expect(catalogue.rootFields.has("Query.panelTerms")).toBe(false);
  });
});

/**
 * A minimal supergraph in the shapes composition writes (join__Graph enum,
 * @join__type on types, @join__field on root fields): one agency subgraph
 * (catalogue) and one ministry subgraph (advisory). It keeps the shard
 * contract; each case below breaks it in one place.
 */
const VALID = `
  enum join__Graph {
    ADVISORY @join__graph(name: "advisory", url: "http://127.0.0.1:4001/graphql")
    CATALOGUE @join__graph(name: "catalogue", url: "http://127.0.0.1:4100/graphql")
  }

  type Query
    @join__type(graph: ADVISORY)
    @join__type(graph: CATALOGUE)
  {
    panelTerms: [PanelTerm!]! @join__field(graph: ADVISORY)
    dataset(id: ID!, agencyCode: ID!): Dataset @join__field(graph: CATALOGUE) @shardBy(argument: "agencyCode")
    catalogueSummary(asOf: Date, agencyCodes: [ID!]): CatalogueSummary! @join__field(graph: CATALOGUE) @shardFanOut(merge: "AGGREGATE", subset: "agencyCodes")
    datasets(first: Int = 20, after: String, state: LifecycleState, agencyCodes: [ID!]): DatasetConnection! @join__field(graph: CATALOGUE) @shardFanOut(merge: "CONNECTION", subset: "agencyCodes")
  }

  type Mutation
    @join__type(graph: ADVISORY)
    @join__type(graph: CATALOGUE)
  {
    appointPanelMember(input: AppointPanelMemberInput!): AppointPanelMemberPayload! @join__field(graph: ADVISORY)
    registerDataset(input: RegisterDatasetInput!): RegisterDatasetPayload! @join__field(graph: CATALOGUE) @shardBy(argument: "input.agencyCode")
  }

  type Subscription
    @join__type(graph: CATALOGUE)
  {
    catalogueEvents(after: String, agencyCodes: [ID!]): CatalogueEvent! @join__field(graph: CATALOGUE) @shardFanOut(merge: "STREAM", subset: "agencyCodes")
  }

  type Dataset
    @join__type(graph: CATALOGUE, key: "agencyCode id")
    @shardKey(field: "agencyCode")
  {
    id: ID!
    agencyCode: ID!
  }

  type PanelTerm
    @join__type(graph: ADVISORY, key: "id")
  {
    id: ID!
  }
`;

/** VALID with one piece of text replaced (the piece must be there). */
function breaking(piece: string, replacement: string): string {
  if (!VALID.includes(piece)) throw new Error(`the minimal supergraph has no ${piece}`);
  return VALID.replace(piece, replacement);
}

describe("a minimal supergraph", () => {
  test("that keeps the contract gives the agency subgraph its policies; the ministry subgraph's fields and entities need none", () => {
    const policies = readShardPolicies(VALID, ["catalogue"]);
    expect(Object.fromEntries(policies.get("catalogue")!.rootFields)).toEqual({
      "Query.dataset": { kind: "shardBy", argumentPath: ["agencyCode"] },
      "Query.catalogueSummary": { kind: "AGGREGATE", subsetArgument: "agencyCodes" },
      "Query.datasets": { kind: "CONNECTION", subsetArgument: "agencyCodes", firstDefault: 20 },
      "Mutation.registerDataset": { kind: "shardBy", argumentPath: ["input", "agencyCode"] },
      "Subscription.catalogueEvents": { kind: "STREAM", subsetArgument: "agencyCodes" },
    });
    expect(Object.fromEntries(policies.get("catalogue")!.shardKeys)).toEqual({ Dataset: "agencyCode" });
  });

  test.each([
    [
      "a root field of an agency subgraph without a policy",
      breaking(`@join__field(graph: CATALOGUE) @shardBy(argument: "agencyCode")`, `@join__field(graph: CATALOGUE)`),
      /Query\.dataset of agency subgraph catalogue declares no shard policy/,
    ],
    [
      "a mutation declared @shardFanOut",
      breaking(`@shardBy(argument: "input.agencyCode")`, `@shardFanOut(merge: "LIST")`),
      /Mutation\.registerDataset is a mutation: it must be routed to one shard/,
    ],
    ["routing by an argument the field does not have", breaking(`@shardBy(argument: "agencyCode")`, `@shardBy(argument: "code")`), /Query\.dataset is routed by "code", which is not one of its arguments/],
    ["a connection without an after argument", breaking(`after: String, state`, `state`), /Query\.datasets merges as a CONNECTION: it needs "first" and "after"/],
    ["a subscription that is not fanned in as a STREAM", breaking(`merge: "STREAM"`, `merge: "LIST"`), /Subscription\.catalogueEvents: subscriptions, and only they/],
    ["a stream without an after argument to resume from", breaking(`catalogueEvents(after: String, `, `catalogueEvents(`), /Subscription\.catalogueEvents is a STREAM: it needs an "after" argument/],
    ["an unknown merge strategy", breaking(`merge: "AGGREGATE"`, `merge: "MEDIAN"`), /Query\.catalogueSummary asks for merge "MEDIAN"/],
    ["an entity of an agency subgraph without @shardKey", breaking(`@shardKey(field: "agencyCode")`, ``), /entity Dataset of agency subgraph catalogue declares no @shardKey/],
    ["a shard key that is not among the @key fields", breaking(`key: "agencyCode id"`, `key: "id"`), /entity Dataset: shard key "agencyCode" is not in its @key/],
  ])("refuses %s, naming it", (_, supergraph, message) => {
    expect(() => readShardPolicies(supergraph, ["catalogue"])).toThrow(message);
  });

  test("lists every problem at once", () => {
    const twoProblems = breaking(`@shardKey(field: "agencyCode")`, ``).replace(`merge: "AGGREGATE"`, `merge: "MEDIAN"`);
    expect(() => readShardPolicies(twoProblems, ["catalogue"])).toThrow(/MEDIAN[\s\S]*no @shardKey/);
  });

  test("the same supergraph needs no policy when catalogue is not an agency subgraph", () => {
    const noPolicies = breaking(`@join__field(graph: CATALOGUE) @shardBy(argument: "agencyCode")`, `@join__field(graph: CATALOGUE)`).replace(
      `@shardKey(field: "agencyCode")`,
      ``,
    );
    expect(() => readShardPolicies(noPolicies, ["catalogue"])).toThrow();
    expect(readShardPolicies(noPolicies, [])).toEqual(new Map());
  });
});
