import { Kind, parse, print, visit, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { MergeStrategy } from "../../contract/shard-directives";
import { planShardRequest, ShardDocuments, type FieldPlan, type ShardCall } from "./plan";
import type { SubgraphShardPolicy } from "./policies";

const policy: SubgraphShardPolicy = {
  rootFields: new Map([
    ["Query.dataset", { kind: "shardBy", argumentPath: ["agencyCode"] }],
    ["Mutation.registerDataset", { kind: "shardBy", argumentPath: ["input", "agencyCode"] }],
    ["Query.datasetsByIdentifier", { kind: MergeStrategy.LIST, subsetArgument: "agencyCodes" }],
    ["Query.catalogueSummary", { kind: MergeStrategy.AGGREGATE, subsetArgument: "agencyCodes" }],
    ["Query.datasets", { kind: MergeStrategy.CONNECTION, subsetArgument: "agencyCodes", firstDefault: 20 }],
  ]),
  shardKeys: new Map([
    ["Dataset", "agencyCode"],
    ["Agency", "code"],
  ]),
};
/** Agencies with a shard, in routing-table order. */
const agencyCodes = ["MOJ", "ACA", "AJ"];

const callTo = (calls: ShardCall[], code: string) => calls.find((c) => c.agencyCode === code);
const fieldPlan = (fields: FieldPlan[], key: string) => fields.find((f) => f.responseKey === key);
const operationOf = (document: DocumentNode) => document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const definedVariables = (call: ShardCall) => (operationOf(call.document).variableDefinitions ?? []).map((d) => d.variable.name.value);
const rootFieldNames = (call: ShardCall) =>
  operationOf(call.document).selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? `${s.alias ? `${s.alias.value}: ` : ""}${s.name.value}` : s.kind));

/** The representations a shard call carries: the value of the variable its `_entities` field reads them from. */
function representationsSent(call: ShardCall): unknown {
  let variable: string | undefined;
  visit(operationOf(call.document), {
    Field: (field) => {
      if (field.name.value !== "_entities") return;
      const argument = field.arguments?.find((a) => a.name.value === "representations");
      if (argument?.value.kind === Kind.VARIABLE) variable = argument.value.name.value;
    },
  });
  if (!variable) throw new Error(`the call to ${call.agencyCode} has no _entities field reading a variable`);
  expect(definedVariables(call)).toContain(variable);
  return call.variables[variable];
}

describe("a batched request: aliased root fields and _entities of several agencies", () => {
  const document = parse(`
    query Batch($_v0_identifiers: [String!]!, $_v1_representations: [_Any!]!, $unused: Int) {
      _v0_datasetsByIdentifier: datasetsByIdentifier(identifiers: $_v0_identifiers, agencyCodes: ["ACA", "XYZ"]) { ...DatasetIds }
      _v1__entities: _entities(representations: $_v1_representations) { ... on Dataset { ...DatasetTitle } }
      __typename
    }
    fragment DatasetIds on Dataset { identifier }
    fragment DatasetTitle on Dataset { title ...DatasetOwner }
    fragment DatasetOwner on Dataset { agencyCode }
    fragment NeverUsed on Dataset { description }
  `);
  const mojA = { __typename: "Dataset", agencyCode: "MOJ", id: "1" };
  const acaA = { __typename: "Dataset", agencyCode: "ACA", id: "2" };
  const mojB = { __typename: "Dataset", agencyCode: "MOJ", id: "3" };
  const unknownAgency = { __typename: "Dataset", agencyCode: "XYZ", id: "4" };
  const acaAgency = { __typename: "Agency", code: "ACA" };
  const noShardKey = { __typename: "PanelTerm", id: "5" };
  // Interleaved owners, a duplicate (mojA twice), and two that cannot be routed.
  const representations = [mojA, acaA, mojB, unknownAgency, acaAgency, mojA, noShardKey];
  const variables = { _v0_identifiers: ["A41000000G-000001"], _v1_representations: representations, unused: 3 };
  const plan = planShardRequest({ document, variables, policy, agencyCodes });

  test("each owning shard gets only its representations, in their original relative order, duplicates included", () => {
    expect(representationsSent(callTo(plan.calls, "MOJ")!)).toEqual([mojA, mojB, mojA]);
    expect(representationsSent(callTo(plan.calls, "ACA")!)).toEqual([acaA, acaAgency]);
    expect(callTo(plan.calls, "AJ")).toBeUndefined();
  });

  test("the plan maps each shard's answers back to the positions they were asked at", () => {
    const entities = fieldPlan(plan.fields, "_v1__entities");
    if (entities?.kind !== "entities") throw new Error(`expected an entities plan, got ${entities?.kind}`);
    expect(entities.size).toBe(representations.length);
    expect(Object.fromEntries(entities.owners)).toEqual({ MOJ: [0, 2, 5], ACA: [1, 4] });
  });

  test("an unknown agency and a type without a shard key fail their own positions only, with NOT_FOUND", () => {
    const entities = fieldPlan(plan.fields, "_v1__entities");
    if (entities?.kind !== "entities") throw new Error("expected an entities plan");
    expect([...entities.unrouted.keys()].sort()).toEqual([3, 6]);
    expect(entities.unrouted.get(3)!.extensions).toMatchObject({ code: "NOT_FOUND", agencyCode: "XYZ" });
    expect(entities.unrouted.get(6)!.extensions).toMatchObject({ code: "NOT_FOUND" });
    expect(entities.unrouted.get(6)!.message).toContain("PanelTerm");
  });

  test("a fan-out with a subset goes to the named agencies that have a shard and reports the others", () => {
    expect(fieldPlan(plan.fields, "_v0_datasetsByIdentifier")).toEqual({
      kind: MergeStrategy.LIST,
      responseKey: "_v0_datasetsByIdentifier",
      agencyCodes: ["ACA"],
      unknownCodes: ["XYZ"],
    });
    expect(rootFieldNames(callTo(plan.calls, "ACA")!)).toEqual(["_v0_datasetsByIdentifier: datasetsByIdentifier", "_v1__entities: _entities"]);
    expect(rootFieldNames(callTo(plan.calls, "MOJ")!)).toEqual(["_v1__entities: _entities"]);
  });

  test("__typename of the root is answered by the gateway, not sent to any shard", () => {
    expect(fieldPlan(plan.fields, "__typename")).toEqual({ kind: "local", responseKey: "__typename", value: "Query" });
    for (const call of plan.calls) expect(print(call.document)).not.toMatch(/^\s*__typename$/m);
  });

  test("each shard's document keeps only the variables and fragments its fields use", () => {
    const moj = print(callTo(plan.calls, "MOJ")!.document);
    expect(moj).not.toContain("$_v0_identifiers");
    expect(moj).not.toContain("$_v1_representations");
    expect(moj).not.toContain("$unused");
    expect(moj).not.toContain("fragment DatasetIds");
    expect(moj).not.toContain("fragment NeverUsed");
    expect(moj).toContain("fragment DatasetTitle on Dataset");
    expect(moj).toContain("fragment DatasetOwner on Dataset");
    const aca = print(callTo(plan.calls, "ACA")!.document);
    expect(aca).toContain("$_v0_identifiers: [String!]!");
    expect(aca).toContain("fragment DatasetIds on Dataset");
    expect(aca).toContain("fragment DatasetTitle on Dataset");
    expect(aca).not.toContain("$unused");
    expect(aca).not.toContain("fragment NeverUsed");
  });

  test("each call's variables are exactly the variables its document defines", () => {
    for (const call of plan.calls) expect(Object.keys(call.variables).sort()).toEqual(definedVariables(call).sort());
    expect(callTo(plan.calls, "ACA")!.variables._v0_identifiers).toEqual(["A41000000G-000001"]);
  });

  test("the operation keeps its kind and name", () => {
    for (const call of plan.calls) expect(operationOf(call.document)).toMatchObject({ operation: "query", name: { value: "Batch" } });
  });
});

describe("the shards' documents kept between requests", () => {
  const source = `query Batch($_v0_identifiers: [String!]!, $_v1_representations: [_Any!]!) {
    _v0_datasetsByIdentifier: datasetsByIdentifier(identifiers: $_v0_identifiers) { identifier }
    _v1__entities: _entities(representations: $_v1_representations) { ... on Dataset { title } }
  }`;
  const representations = (...codes: string[]) => codes.map((agencyCode, i) => ({ __typename: "Dataset", agencyCode, id: String(i) }));
  // The engine's document of each request is a new object, as the gateway's engine builds one per request.
  const plan = (documents: ShardDocuments, codes: string[]) =>
    planShardRequest({ document: parse(source), variables: { _v0_identifiers: ["x"], _v1_representations: representations(...codes) }, policy, agencyCodes, documents });

  test("a shard sent the same root fields of the same document gets the same document object, with this request's variables", () => {
    const documents = new ShardDocuments();
    const first = plan(documents, ["MOJ", "ACA"]);
    const second = plan(documents, ["ACA", "ACA"]);
    expect(callTo(second.calls, "ACA")!.document).toBe(callTo(first.calls, "ACA")!.document);
    expect(representationsSent(callTo(second.calls, "ACA")!)).toEqual(representations("ACA", "ACA"));
    // AJ is sent the fan-out alone (no entity of its agency): a document of its own, kept apart from the others'.
    expect(rootFieldNames(callTo(second.calls, "AJ")!)).toEqual(["_v0_datasetsByIdentifier: datasetsByIdentifier"]);
    expect(callTo(second.calls, "AJ")!.document).toBe(callTo(first.calls, "AJ")!.document);
    expect(callTo(second.calls, "AJ")!.document).not.toBe(callTo(second.calls, "ACA")!.document);
    expect(print(callTo(second.calls, "ACA")!.document)).toBe(print(callTo(plan(new ShardDocuments(), ["ACA"]).calls, "ACA")!.document));
  });

  test("a document object sent again finds its documents, and each of its operations its own", () => {
    const documents = new ShardDocuments();
    // A client's document, the same object on every request (the server keeps one per distinct query).
    const client = parse(`query Titles { datasetsByIdentifier(identifiers: ["x"]) { title } } query Identifiers { datasetsByIdentifier(identifiers: ["x"]) { identifier } }`);
    const sent = (operationName: string) => callTo(planShardRequest({ document: client, operationName, policy, agencyCodes, documents }).calls, "MOJ")!.document;
    const titles = sent("Titles");
    expect(print(sent("Identifiers"))).toMatch(/identifier\s*}/);
    expect(sent("Titles")).toBe(titles);
    expect(print(titles)).toMatch(/title\s*}/);
  });

  test("at most the given number of engine documents are kept, the oldest forgotten first", () => {
    const documents = new ShardDocuments(1);
    const kept = callTo(plan(documents, ["ACA"]).calls, "ACA")!.document;
    planShardRequest({ document: parse(`{ datasetsByIdentifier(identifiers: ["y"]) { identifier } }`), policy, agencyCodes, documents });
    expect(callTo(plan(documents, ["ACA"]).calls, "ACA")!.document).not.toBe(kept);
  });
});

describe("a merged connection: what each shard is asked besides the client's selection", () => {
  const shardSelection = (source: string) => {
    const plan = planShardRequest({ document: parse(source), policy, agencyCodes });
    const connection = fieldPlan(plan.fields, "datasets");
    if (connection?.kind !== MergeStrategy.CONNECTION) throw new Error(`expected a connection plan, got ${connection?.kind}`);
    return { shape: connection.shape, sent: print(callTo(plan.calls, "MOJ")!.document) };
  };

  test("the client's own edges' cursors and hasNextPage serve the merge: nothing is asked twice", () => {
    const { shape, sent } = shardSelection(`{ datasets(first: 5) { edges { at: cursor node { title } } pageInfo { more: hasNextPage } } }`);
    expect(shape).toMatchObject({ keysAt: { edges: "edges", cursor: "at" }, moreAt: { pageInfo: "pageInfo", hasNextPage: "more" } });
    expect(sent).not.toMatch(/__shard_keys|__shard_more/);
  });

  test("without them, or asked under a condition, the router asks for its own", () => {
    const bare = shardSelection(`{ datasets(first: 5) { totalCount edges { node { title } } } }`);
    expect(bare.shape).toMatchObject({ keysAt: { edges: "__shard_keys", cursor: "cursor" }, moreAt: { pageInfo: "__shard_more", hasNextPage: "hasNextPage" } });
    expect(bare.sent).toContain("__shard_keys: edges");
    expect(bare.sent).toContain("__shard_more: pageInfo");
    const conditional = shardSelection(`query($c: Boolean!) { datasets(first: 5) { edges { cursor @include(if: $c) } pageInfo @skip(if: $c) { hasNextPage } } }`);
    expect(conditional.shape).toMatchObject({ keysAt: { edges: "__shard_keys" }, moreAt: { pageInfo: "__shard_more" } });
  });
});

describe("@shardBy: one shard, named by an argument", () => {
  test("the agency code at input.agencyCode, read from the variables", () => {
    const plan = planShardRequest({
      document: parse(`mutation($input: RegisterDatasetInput!, $other: Int) { registerDataset(input: $input) { dataset { id } } }`),
      variables: { input: { agencyCode: "ACA", title: "收容人數" }, other: 1 },
      policy,
      agencyCodes,
    });
    expect(plan.fields).toEqual([{ kind: "shardBy", responseKey: "registerDataset", agencyCode: "ACA" }]);
    expect(plan.calls.map((c) => c.agencyCode)).toEqual(["ACA"]);
    expect(plan.calls[0].variables).toEqual({ input: { agencyCode: "ACA", title: "收容人數" } });
    expect(print(plan.calls[0].document)).toContain("mutation ($input: RegisterDatasetInput!)");
  });

  test("the agency code at input.agencyCode, written as a literal, possibly holding a variable", () => {
    const literal = planShardRequest({ document: parse(`mutation { registerDataset(input: { agencyCode: "AJ", title: "t" }) { dataset { id } } }`), policy, agencyCodes });
    expect(literal.fields).toEqual([{ kind: "shardBy", responseKey: "registerDataset", agencyCode: "AJ" }]);
    expect(literal.calls.map((c) => c.agencyCode)).toEqual(["AJ"]);
    const nested = planShardRequest({
      document: parse(`mutation($code: ID!) { registerDataset(input: { agencyCode: $code, title: "t" }) { dataset { id } } }`),
      variables: { code: "MOJ" },
      policy,
      agencyCodes,
    });
    expect(nested.calls.map((c) => [c.agencyCode, c.variables])).toEqual([["MOJ", { code: "MOJ" }]]);
  });

  test("a variable the request leaves out routes by its default, as the shard will read it; one it gives routes by its value", () => {
    const document = parse(`mutation($input: RegisterDatasetInput! = { agencyCode: "AJ", title: "t" }) { registerDataset(input: $input) { dataset { id } } }`);
    const byDefault = planShardRequest({ document, variables: {}, policy, agencyCodes });
    expect(byDefault.fields).toEqual([{ kind: "shardBy", responseKey: "registerDataset", agencyCode: "AJ" }]);
    expect(byDefault.calls.map((c) => [c.agencyCode, c.variables])).toEqual([["AJ", {}]]);
    const given = planShardRequest({ document, variables: { input: { agencyCode: "MOJ", title: "t" } }, policy, agencyCodes });
    expect(given.calls.map((c) => c.agencyCode)).toEqual(["MOJ"]);
  });

  test("aliased fields for different agencies go to their own shards", () => {
    const plan = planShardRequest({
      document: parse(`{ a: dataset(agencyCode: "MOJ", id: "1") { title } b: dataset(agencyCode: "ACA", id: "2") { title } }`),
      policy,
      agencyCodes,
    });
    expect(plan.fields).toEqual([
      { kind: "shardBy", responseKey: "a", agencyCode: "MOJ" },
      { kind: "shardBy", responseKey: "b", agencyCode: "ACA" },
    ]);
    expect(rootFieldNames(callTo(plan.calls, "MOJ")!)).toEqual(["a: dataset"]);
    expect(rootFieldNames(callTo(plan.calls, "ACA")!)).toEqual(["b: dataset"]);
  });

  test("an agency without a shard fails that field with NOT_FOUND naming the argument; the other fields are still routed", () => {
    const plan = planShardRequest({
      document: parse(`{ missing: dataset(agencyCode: "XYZ", id: "1") { title } found: dataset(agencyCode: "MOJ", id: "2") { title } }`),
      policy,
      agencyCodes,
    });
    const missing = fieldPlan(plan.fields, "missing");
    if (missing?.kind !== "failed") throw new Error(`expected a failed plan, got ${missing?.kind}`);
    expect(missing.error.extensions).toMatchObject({ code: "NOT_FOUND", agencyCode: "XYZ", fields: [{ path: "agencyCode" }] });
    expect(plan.calls.map((c) => c.agencyCode)).toEqual(["MOJ"]);
    expect(rootFieldNames(plan.calls[0])).toEqual(["found: dataset"]);
  });

  test("a mutation whose input names no agency fails with NOT_FOUND at input.agencyCode", () => {
    const plan = planShardRequest({
      document: parse(`mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }`),
      variables: { input: { title: "t" } },
      policy,
      agencyCodes,
    });
    expect(plan.calls).toEqual([]);
    expect(plan.fields[0]).toMatchObject({ kind: "failed", error: { extensions: { code: "NOT_FOUND", fields: [{ path: "input.agencyCode" }] } } });
  });

  test("a root field without a declared policy is failed, not guessed", () => {
    const plan = planShardRequest({ document: parse(`{ somethingNew { id } }`), policy, agencyCodes });
    expect(plan.calls).toEqual([]);
    expect(plan.fields[0]).toMatchObject({ kind: "failed", responseKey: "somethingNew", error: { extensions: { code: "NOT_FOUND" } } });
  });
});

describe("@shardFanOut: every shard, or the subset named", () => {
  test("without a subset, every shard in routing-table order", () => {
    const plan = planShardRequest({ document: parse(`{ catalogueSummary { datasets } }`), policy, agencyCodes });
    expect(plan.fields[0]).toMatchObject({ kind: MergeStrategy.AGGREGATE, agencyCodes: ["MOJ", "ACA", "AJ"], unknownCodes: [] });
    expect(plan.calls.map((c) => c.agencyCode)).toEqual(["MOJ", "ACA", "AJ"]);
  });

  test("a subset from a variable: known codes in routing-table order, unknown ones reported", () => {
    const plan = planShardRequest({
      document: parse(`query($codes: [ID!]) { catalogueSummary(agencyCodes: $codes) { datasets } }`),
      variables: { codes: ["AJ", "NOPE", "MOJ"] },
      policy,
      agencyCodes,
    });
    expect(plan.fields[0]).toMatchObject({ kind: MergeStrategy.AGGREGATE, agencyCodes: ["MOJ", "AJ"], unknownCodes: ["NOPE"] });
    expect(plan.calls.map((c) => c.agencyCode)).toEqual(["MOJ", "AJ"]);
  });

  test("a single code where a list is expected (GraphQL list coercion) is a subset of one", () => {
    // `agencyCodes: "ACA"` is valid GraphQL for [ID!]: it means ["ACA"].
    const plan = planShardRequest({ document: parse(`{ catalogueSummary(agencyCodes: "ACA") { datasets } }`), policy, agencyCodes });
    expect(plan.fields[0]).toMatchObject({ kind: MergeStrategy.AGGREGATE, agencyCodes: ["ACA"], unknownCodes: [] });
    expect(plan.calls.map((c) => c.agencyCode)).toEqual(["ACA"]);
  });
});
