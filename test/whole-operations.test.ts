/**
 * An operation one subgraph serves whole is sent to it as it is
 * (gateway/whole-operations.ts). The client must not be able to tell: every
 * answer here, data and errors, byte for byte, is compared with the answer
 * of a gateway over the same shards that plans every operation. Pages from
 * one shard and merged from two (fields in an unusual order), sums, lists,
 * misses, refusals, invalid input, guarded fields, writes, and a ministry
 * subgraph that cannot be reached.
 */
import { Role } from "../contract/claims";
import { METRIC } from "../contract/metrics";
import { parseMetrics, total } from "../contract/metrics-reading";
import { freePort } from "../contract/listen";
import { instanceEndpoint } from "../contract/topology";
import type { RunningGateway } from "../gateway/server";
import { startTestTopology, type TestTopology } from "./topology";

let topology: TestTopology;
let planning: RunningGateway;
let admin: string;
let mojStaff: string;

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"]);
  planning = await topology.startGateway({ wholeOperations: false });
  admin = await topology.token(Role.MINISTRY_ADMIN);
  mojStaff = await topology.token(Role.AGENCY_STAFF, "MOJ");
}, 120_000);

afterAll(async () => {
  await topology?.stop();
});

/** The raw answer of a gateway, as a client reads it. */
async function answerOf(gateway: RunningGateway, query: string, variables?: Record<string, unknown>, token?: string): Promise<string> {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return `${response.status} ${await response.text()}`;
}

async function wholeOperationsOf(gateway: RunningGateway): Promise<number> {
  return total(parseMetrics(await (await fetch(instanceEndpoint(gateway.url, "metrics"))).text()), METRIC.wholeOperations);
}

/** Asks both gateways; the answers must be the same bytes. Returns the answer and whether the forwarding gateway sent it whole. */
async function bothAnswer(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ answer: string; sentWhole: boolean }> {
  const before = await wholeOperationsOf(topology.gateway);
  const [forwarded, planned] = await Promise.all([answerOf(topology.gateway, query, variables, token), answerOf(planning, query, variables, token)]);
  expect(forwarded).toBe(planned);
  return { answer: forwarded, sentWhole: (await wholeOperationsOf(topology.gateway)) > before };
}

const PAGE = `query Page($agencies: [ID!], $after: String) {
  datasets(agencyCodes: $agencies, first: 4, after: $after) {
    pageInfo { endCursor hasNextPage }
    list: edges { node { title identifier ...Dated } cursor }
    totalCount
    __typename
  }
}
fragment Dated on Dataset { issued agencyCode }`;

test("pages from one shard and merged from two, and the next page, answer the same", async () => {
  const one = await bothAnswer(PAGE, { agencies: ["MOJ"] });
  expect(one.sentWhole).toBe(true);
  const merged = await bothAnswer(PAGE, { agencies: null });
  expect(merged.sentWhole).toBe(true);
  const page = JSON.parse(merged.answer.slice(4)) as { data: { datasets: { pageInfo: { endCursor: string }; list: unknown[] } } };
  expect(page.data.datasets.list).toHaveLength(4);
  expect(Object.keys(page.data.datasets)).toEqual(["pageInfo", "list", "totalCount", "__typename"]);
  await bothAnswer(PAGE, { agencies: null, after: page.data.datasets.pageInfo.endCursor });
});

test("sums, lists and a ministry subgraph's figures answer the same", async () => {
  expect((await bothAnswer(`{ catalogueSummary { datasets } feedbackSummary: feedbackStats { received } }`)).sentWhole).toBe(false);
  expect((await bothAnswer(`{ catalogueSummary(agencyCodes: ["MOJ", "ACA"]) { datasets } }`)).sentWhole).toBe(true);
  await bothAnswer(`{ datasetsByIdentifier(identifiers: ["none"]) { id } }`);
  expect((await bothAnswer(`{ agencies(codes: ["MOJ", "ACA"]) { code name } }`)).sentWhole).toBe(true);
});

test("misses, refusals and invalid input answer the same", async () => {
  await bothAnswer(`{ dataset(id: "00000000-0000-0000-0000-000000000000", agencyCode: "MOJ") { title } }`);
  const unknownAgency = await bothAnswer(`{ dataset(id: "00000000-0000-0000-0000-000000000000", agencyCode: "NOPE") { title } }`);
  expect(unknownAgency.answer).toContain("NOT_FOUND");
  expect((await bothAnswer(PAGE, { agencies: ["MOJ"], after: "not-a-cursor" })).answer).toContain("BAD_USER_INPUT");
  const badVariable = await bothAnswer(PAGE, { agencies: "MOJ", after: 3 });
  expect(badVariable.sentWhole).toBe(false);
  const badInput = await bothAnswer(`mutation { submitFeedback(input: { agencyCode: "MOJ", title: "", body: "b", email: "not an address", commentType: "資料內容有誤" }) { feedback { id } } }`);
  expect(badInput.sentWhole).toBe(true);
  expect(badInput.answer).toContain("BAD_USER_INPUT");
});

test("a guarded field is null for the public and shown to the agency's staff, the same way", async () => {
  const submitted = await topology.query<{ submitFeedback: { feedback: { id: string } } }>(
    `mutation { submitFeedback(input: { agencyCode: "MOJ", title: "比對", body: "同一答案", email: "citizen@example.org", commentType: "資料內容有誤" }) { feedback { id } } }`,
  );
  const query = `query ($id: ID!) { feedback(id: $id, agencyCode: "MOJ") { title email state } }`;
  const id = submitted.data!.submitFeedback.feedback.id;
  expect((await bothAnswer(query, { id })).answer).toContain('"email":null');
  expect((await bothAnswer(query, { id }, mojStaff)).answer).toContain('"email":"citizen@example.org"');
});

test("a write sent whole is made once and answers as a planned one", async () => {
  const submit = `mutation ($key: String!) { submitFeedback(input: { agencyCode: "ACA", title: "一次", body: "只存一次", email: "a@example.org", commentType: "資料內容有誤", idempotencyKey: $key }) { feedback { title state agencyCode } } }`;
  const before = await topology.sql<{ n: number }>("feedback:ACA", "select count(*)::int as n from feedback");
  expect((await bothAnswer(submit, { key: `whole-${Date.now()}` })).sentWhole).toBe(true);
  const after = await topology.sql<{ n: number }>("feedback:ACA", "select count(*)::int as n from feedback");
  // One comment from each gateway: the key is the same, so the second is the first's retry.
  expect(after[0].n - before[0].n).toBe(1);
});

test("a write whose agency is a variable's default is routed by it, sent whole or planned", async () => {
  const key = `default-${Date.now()}`;
  const submit = `mutation ($input: SubmitFeedbackInput! = { agencyCode: "MOJ", title: "預設", body: "由預設值決定", email: "a@example.org", commentType: "資料內容有誤", idempotencyKey: "${key}" }) { submitFeedback(input: $input) { feedback { title agencyCode } } }`;
  const { answer, sentWhole } = await bothAnswer(submit);
  expect(sentWhole).toBe(true);
  expect(answer).toBe('200 {"data":{"submitFeedback":{"feedback":{"title":"預設","agencyCode":"MOJ"}}}}');
  const stored = await topology.sql<{ n: number }>("feedback:MOJ", "select count(*)::int as n from feedback where idempotency_key = $1", [key]);
  expect(stored[0].n).toBe(1);
});

test("a ministry subgraph that cannot be reached fails the same fields with the same errors", async () => {
  const closed = `http://127.0.0.1:${await freePort()}/graphql`;
  const [forwarding, planningAlone] = await Promise.all([
    topology.startGateway({ subgraphs: { metrics: closed } }),
    topology.startGateway({ subgraphs: { metrics: closed }, wholeOperations: false }),
  ]);
  const ask = async (query: string) => {
    const [forwarded, planned] = await Promise.all([answerOf(forwarding, query, undefined, admin), answerOf(planningAlone, query, undefined, admin)]);
    expect(forwarded).toBe(planned);
    return forwarded;
  };
  expect(await ask(`{ a: agency(code: "MOJ") { name } b: agency(code: "ACA") { name } }`)).toContain("SUBGRAPH_UNAVAILABLE");
  expect(await ask(`{ agency(code: "MOJ") { name } ministryProgress { datasetsOnPlatform } }`)).toContain('"data":null');
  expect(await wholeOperationsOf(forwarding)).toBe(2);
});
