import { buildSchema, getOperationAST, parse } from "graphql";
import { propagateNulls } from "./null-propagation";

const schema = buildSchema(`
  interface Node { id: ID! }
  type Agency implements Node { id: ID! name: String! datasets: [Dataset!] stats: Stats }
  type Dataset implements Node { id: ID! title: String! }
  type Stats { received: Int! }
  type Query { agency: Agency agencies: [Agency!]! progress: Stats! node: Node }
`);

const propagate = (query: string, data: Record<string, unknown>) => {
  const document = parse(query);
  return propagateNulls(data, schema, getOperationAST(document)!, document);
};

test("a null non-null field nulls its object, up to the nearest nullable field", () => {
  expect(propagate("{ agency { id name } }", { agency: { id: "MOJ", name: null } })).toEqual({ agency: null });
  expect(propagate("{ agency { stats { received } } }", { agency: { stats: { received: null } } })).toEqual({ agency: { stats: null } });
  // Through a list whose items may not be null: the list becomes null.
  expect(propagate("{ agency { datasets { title } } }", { agency: { datasets: [{ title: "a" }, { title: null }] } })).toEqual({ agency: { datasets: null } });
});

test("a null non-null root field nulls the whole data; a nullable one only itself", () => {
  expect(propagate("{ progress { received } agency { id } }", { progress: null, agency: { id: "MOJ" } })).toBeNull();
  expect(propagate("{ agencies { name } }", { agencies: [{ name: "a" }, { name: null }] })).toBeNull();
  expect(propagate("{ agency { id } a: agency { id } }", { agency: null, a: { id: "MOJ" } })).toEqual({ agency: null, a: { id: "MOJ" } });
});

test("aliases, fragments and abstract types are followed; an answer without such nulls is unchanged", () => {
  expect(propagate("{ x: agency { n: name } }", { x: { n: null } })).toEqual({ x: null });
  expect(propagate("{ agency { ...A } } fragment A on Agency { name }", { agency: { name: null } })).toEqual({ agency: null });
  expect(propagate("{ node { ... on Dataset { title } } }", { node: { __typename: "Dataset", title: null } })).toEqual({ node: null });
  // A fragment of another type does not apply to the object.
  expect(propagate("{ node { ... on Dataset { title } ... on Agency { name } } }", { node: { __typename: "Agency", name: "MOJ" } })).toEqual({
    node: { __typename: "Agency", name: "MOJ" },
  });
  const whole = { agency: { id: "MOJ", name: "法務部", datasets: [{ title: "a" }], stats: null }, progress: { received: 3 } };
  expect(propagate("{ agency { id name datasets { title } stats { received } } progress { received } }", whole)).toEqual(whole);
});
