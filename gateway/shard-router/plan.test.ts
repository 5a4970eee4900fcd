import { parse, print, type OperationDefinitionNode } from "graphql";
import { MergeStrategy } from "../../subgraphs/kit/shard-directives";
import { planShardRequest } from "./plan";
import type { SubgraphShardPolicy } from "./policies";

const policy: SubgraphShardPolicy = {
  rootFields: new Map([
    ["Query.dataset", { kind: "by", argumentPath: ["agencyCode"] }],
    ["Mutation.registerDataset", { kind: "by", argumentPath: ["input", "agencyCode"] }],
    ["Query.datasetsByIdentifier", { kind: "fanOut", merge: MergeStrategy.LIST, subsetArgument: "agencyCodes" }],
  ]),
  shardKeys: new Map([
    ["Dataset", "agencyCode"],
    ["Agency", "code"],
  ]),
};
const agencyCodes = ["MOJ", "ACA", "AJ"];

describe("planning a batched subgraph request", () => {
  const document = parse(`
    query($_v0_ids: [String!]!, $_v1_representations: [_Any!]!, $unused: Int) {
      _v0_datasetsByIdentifier: datasetsByIdentifier(identifiers: $_v0_ids, agencyCodes: ["ACA", "XYZ"]) { ...F }
      _v1__entities: _entities(representations: $_v1_representations) { ... on Dataset { title } }
      __typename
    }
    fragment F on Dataset { identifier }
  `);
  const representations = [
    { __typename: "Dataset", agencyCode: "MOJ", id: "1" },
    { __typename: "Dataset", agencyCode: "ACA", id: "2" },
    { __typename: "Dataset", agencyCode: "NOPE", id: "3" },
    { __typename: "Dataset", agencyCode: "MOJ", id: "4" },
    { __typename: "Unknown", agencyCode: "MOJ", id: "5" },
    { __typename: "Agency", code: "ACA" },
  ];
  const plan = planShardRequest({ document, variables: { _v0_ids: ["a"], _v1_representations: representations, unused: 1 }, policy, agencyCodes });
  const call = (code: string) => plan.calls.find((c) => c.agencyCode === code);

  test("routes entities by their shard key, keeping their original positions, and fails only the unroutable ones", () => {
    const entities = plan.fields.find((f) => f.responseKey === "_v1__entities");
    expect(entities).toMatchObject({ kind: "entities", size: 6 });
    if (entities?.kind !== "entities") throw new Error("not an entities plan");
    expect(Object.fromEntries(entities.owners)).toEqual({ MOJ: [0, 3], ACA: [1, 5] });
    expect([...entities.unrouted.keys()]).toEqual([2, 4]);
    expect([...entities.unrouted.values()].every((e) => e.extensions.code === "NOT_FOUND")).toBe(true);
    expect(call("MOJ")!.variables.__shard_representations_1).toEqual([representations[0], representations[3]]);
    expect(call("ACA")!.variables.__shard_representations_1).toEqual([representations[1], representations[5]]);
  });

  test("fans out to the named subset only, and reports unknown codes", () => {
    expect(plan.fields.find((f) => f.responseKey === "_v0_datasetsByIdentifier")).toMatchObject({ kind: "fanOut", agencyCodes: ["ACA"], unknownCodes: ["XYZ"] });
    expect(print(call("ACA")!.document)).toContain("datasetsByIdentifier");
    expect(print(call("MOJ")!.document)).not.toContain("datasetsByIdentifier");
  });

  test("sends each shard a valid document: only its fields, the variables and fragments they use", () => {
    const moj = call("MOJ")!;
    const operation = moj.document.definitions[0] as OperationDefinitionNode;
    expect(operation.variableDefinitions!.map((v) => v.variable.name.value)).toEqual(["__shard_representations_1"]);
    expect(moj.document.definitions).toHaveLength(1);
    expect(Object.keys(moj.variables)).toEqual(["__shard_representations_1"]);
    const aca = call("ACA")!;
    expect(aca.document.definitions.map((d) => d.kind)).toEqual(["OperationDefinition", "FragmentDefinition"]);
    expect(Object.keys(aca.variables).sort()).toEqual(["__shard_representations_1", "_v0_ids"]);
    expect(call("AJ")).toBeUndefined();
  });

  test("answers __typename itself", () => {
    expect(plan.fields.find((f) => f.responseKey === "__typename")).toEqual({ kind: "local", responseKey: "__typename", value: "Query" });
  });
});

describe("routing by argument", () => {
  test("reads the agency from a nested input, as a literal or a variable", () => {
    const literal = planShardRequest({ document: parse(`mutation { registerDataset(input: { agencyCode: "AJ", title: "t" }) { dataset { id } } }`), policy, agencyCodes });
    expect(literal.fields).toEqual([{ kind: "one", responseKey: "registerDataset", agencyCode: "AJ" }]);
    const variable = planShardRequest({
      document: parse(`mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }`),
      variables: { input: { agencyCode: "ACA" } },
      policy,
      agencyCodes,
    });
    expect(variable.calls.map((c) => c.agencyCode)).toEqual(["ACA"]);
  });

  test("an agency without a shard fails that field with NOT_FOUND and sends nothing", () => {
    const plan = planShardRequest({ document: parse(`{ dataset(agencyCode: "XYZ", id: "1") { title } }`), policy, agencyCodes });
    expect(plan.calls).toEqual([]);
    expect(plan.fields[0]).toMatchObject({ kind: "failed", error: { extensions: { code: "NOT_FOUND", agencyCode: "XYZ" } } });
  });
});
