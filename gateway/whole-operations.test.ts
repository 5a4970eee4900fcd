import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, parse } from "graphql";
import { projectRoot } from "../contract/config";
import { readOwnership, servingSubgraph } from "./whole-operations";

const supergraph = readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8");
const ownership = readOwnership(supergraph);
const schema = buildSchema(supergraph, { assumeValidSDL: true });
const servedBy = (query: string) => servingSubgraph(ownership, schema, parse(query));

describe("which operations one subgraph serves whole", () => {
  test("a page of one agency's datasets, with fragments and aliases, is the catalogue's", () => {
    expect(servedBy(`{ datasets(agencyCodes: ["MOJ"], first: 20) { totalCount edges { cursor node { identifier title issued } } pageInfo { hasNextPage endCursor } } }`)).toBe("catalogue");
    expect(servedBy(`query Page($first: Int!) { list: datasets(first: $first) { ...Items } } fragment Items on DatasetConnection { edges { node { ... on Dataset { t: title } } } }`)).toBe("catalogue");
  });

  test("a field two subgraphs resolve goes to the one that resolves the rest", () => {
    expect(servedBy(`{ datasetIndex(first: 5) { edges { node { identifier title issued } } } }`)).toBe("metrics");
    expect(servedBy(`{ ministryProgress { datasetsOnPlatform } }`)).toBe("metrics");
  });

  test("a mutation of one root field is its subgraph's; of two, or through a fragment, it is planned", () => {
    const submit = `submitFeedback(input: { agencyCode: "MOJ", title: "t", body: "b", email: "a@example.org" }) { feedback { id replyDueAt } }`;
    expect(servedBy(`mutation { ${submit} }`)).toBe("feedback");
    expect(servedBy(`mutation { a: ${submit} b: ${submit} }`)).toBeNull();
    expect(servedBy(`mutation { ...M } fragment M on Mutation { ${submit} }`)).toBeNull();
  });

  test("an operation across subgraphs is planned", () => {
    expect(servedBy(`{ agencies(codes: ["MOJ"]) { datasets(first: 5) { totalCount } feedbackStats { received } } }`)).toBeNull();
    expect(servedBy(`{ datasets(first: 1) { totalCount } ministryProgress { datasetsOnPlatform } }`)).toBeNull();
  });

  test("a fragment's fields count as any other, wherever it is spread", () => {
    expect(servedBy(`{ datasets(first: 1) { totalCount ... on Query { __typename } } }`)).toBe("catalogue");
    expect(servedBy(`{ ministryProgress { datasetsOnPlatform } ...F } fragment F on Query { panelTerms { id } }`)).toBeNull();
  });

  test("subscriptions, introspection, directives, interfaces and bare __typename are planned", () => {
    expect(servedBy(`subscription { catalogueEvents { cursor } }`)).toBeNull();
    expect(servedBy(`{ __schema { queryType { name } } datasets(first: 1) { totalCount } }`)).toBeNull();
    expect(servedBy(`query ($all: Boolean!) { datasets(first: 1) { totalCount @include(if: $all) } }`)).toBeNull();
    expect(servedBy(`{ evaluationReport(year: 2017) { ... on Evaluation { rows { strategy } } } }`)).toBeNull();
    expect(servedBy(`{ __typename }`)).toBeNull();
  });

  test("a field the supergraph does not know (the gateway's own) is planned", () => {
    const withRegistry = buildSchema(`${supergraph}\nextend type Query { shards: [String!]! }`, { assumeValidSDL: true });
    expect(servingSubgraph(ownership, withRegistry, parse(`{ shards }`))).toBeNull();
  });
});
