/**
 * The operations of issue 12's denial-of-service attacks, with the limit
 * that must refuse each: shared by the security tests (refusal, no shard
 * called) and `npm run bench -- security` (time to refusal).
 */
export interface Attack {
  name: string;
  query: string;
  limit: "tokens" | "depth" | "aliases" | "directives" | "fields" | "cost";
}

const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: catalogueSummary { datasets }`).join(" ")} }`;

export const ATTACKS: Attack[] = [
  { name: "1,000 aliases of a fanned-out field", query: aliases(1000), limit: "tokens" },
  { name: "100 aliases of a fanned-out field", query: aliases(100), limit: "aliases" },
  {
    name: "20 nested fragments each spread twice (2^20 fields)",
    query: [
      "query { ...F0 }",
      ...Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
      "fragment F20 on Query { catalogueSummary { datasets } }",
    ].join("\n"),
    limit: "fields",
  },
  { name: "10,000 nested inline fragments", query: `{ ${"... on Query { ".repeat(10_000)}__typename${" }".repeat(10_000)} }`, limit: "tokens" },
  { name: "20 levels of inline fragments", query: `{ ${"... on Query { ".repeat(20)}catalogueSummary { datasets }${" }".repeat(20)} }`, limit: "depth" },
  { name: "30 directives on one field", query: `{ catalogueSummary ${"@include(if: true) ".repeat(30)}{ datasets } }`, limit: "directives" },
  {
    name: "25 listings sent to every shard (9 agencies)",
    query: `{ ${Array.from({ length: 25 }, (_, i) => `l${i}: datasets(first: 100) { edges { node { ${"identifier ".repeat(20)} } } }`).join(" ")} }`,
    limit: "cost",
  },
];

/** The README's cross-subgraph query: every agency with data from its shards and the ministry subgraphs. */
export const README_AGENCIES_QUERY = `{
  agencies {
    code name oid
    datasets(first: 2) { totalCount edges { node { identifier title issued } } }
    feedbackStats { received answered answeredOnTime overdue }
    panelRepresentatives { name affiliation }
    targets(year: 2018) { indicator value }
  }
}`;
