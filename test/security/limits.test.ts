/**
 * Operation limits: each attack of issue 12 is refused at the gateway with
 * OPERATION_LIMIT, quickly, and no shard hears of it; the README's queries
 * still pass the same limits.
 */
import { AGENCY_CODES } from "../../contract/agencies";
import { startTrippedGateway } from "./tripwire";

let platform: Awaited<ReturnType<typeof startTrippedGateway>>;

beforeAll(async () => {
  platform = await startTrippedGateway([...AGENCY_CODES]);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

async function post(query: string): Promise<{ status: number; ms: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const started = performance.now();
  const response = await fetch(platform.gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const body = await response.json();
  return { status: response.status, ms: performance.now() - started, body };
}

const fragmentBomb = [
  "query { ...F0 }",
  ...Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`),
  "fragment F20 on Query { catalogueSummary { datasets } }",
].join("\n");

const attacks: [string, string, string][] = [
  ["1,000 aliases of a fanned-out field", `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: catalogueSummary { datasets }`).join(" ")} }`, "tokens"],
  ["100 aliases of a fanned-out field", `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: catalogueSummary { datasets }`).join(" ")} }`, "aliases"],
  ["20 nested fragments each spread twice (2^20 fields)", fragmentBomb, "fields"],
  ["10,000 nested inline fragments", `{ ${"... on Query { ".repeat(10_000)}__typename${" }".repeat(10_000)} }`, "tokens"],
  ["20 levels of inline fragments", `{ ${"... on Query { ".repeat(20)}catalogueSummary { datasets }${" }".repeat(20)} }`, "depth"],
  ["30 directives on one field", `{ catalogueSummary ${"@include(if: true) ".repeat(30)}{ datasets } }`, "directives"],
  [
    "25 listings sent to every shard",
    `{ ${Array.from({ length: 25 }, (_, i) => `l${i}: datasets(first: 100) { edges { node { ${"identifier ".repeat(20)} } } }`).join(" ")} }`,
    "cost",
  ],
];

describe.each(attacks)("%s", (_name, query, limit) => {
  it(`is refused (${limit}) before any shard is called`, async () => {
    const before = platform.calls();
    const { body, ms } = await post(query);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ extensions: expect.objectContaining({ code: "OPERATION_LIMIT", limit }) })]));
    expect(platform.calls()).toBe(before);
    // Generous: the measured time is in `npm run bench -- security`.
    expect(ms).toBeLessThan(2000);
  });
});

const readmeQueries = [
  `{
    agencies {
      code name oid
      datasets(first: 2) { totalCount edges { node { identifier title issued } } }
      feedbackStats { received answered answeredOnTime overdue }
      panelRepresentatives { name affiliation }
      targets(year: 2018) { indicator value }
    }
  }`,
  `{ catalogueSummary(asOf: "2018-03-16") { datasets published retired } }`,
  `{ datasets(first: 20, orderBy: PUBLISHED_DESC) {
      totalCount
      edges { cursor node { agencyCode identifier title issued } }
      pageInfo { hasNextPage endCursor } } }`,
];

test.each(readmeQueries)("the README's queries pass the limits and reach the shards: %#", async (query) => {
  const before = platform.calls();
  const { body } = await post(query);
  expect(body.errors?.filter((e) => e.extensions?.code === "OPERATION_LIMIT") ?? []).toEqual([]);
  if (!query.includes("agencies")) expect(platform.calls()).toBeGreaterThan(before);
});
