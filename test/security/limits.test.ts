/**
 * Operation limits: each attack of issue 12 is refused at the gateway with
 * OPERATION_LIMIT, quickly, and no shard hears of it; the README's queries
 * still pass the same limits.
 */
import { AGENCY_CODES } from "../../contract/agencies";
import { ATTACKS, README_AGENCIES_QUERY } from "../../scripts/attacks";
import { startTrippedGateway } from "./tripwire";

let platform: Awaited<ReturnType<typeof startTrippedGateway>>;

beforeAll(async () => {
  platform = await startTrippedGateway([...AGENCY_CODES]);
  // The first request warms the gateway up (schema, caches); the attacks are timed after it.
  await post("{ __typename }");
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

describe.each(ATTACKS)("$name", ({ query, limit }) => {
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
  README_AGENCIES_QUERY,
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
