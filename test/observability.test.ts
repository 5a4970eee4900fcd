/**
 * GET /metrics on the gateway and on every instance, after a known sequence
 * of requests: counts per agency and per operation, and labels that stay few
 * whatever ids and names clients send.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { Role } from "../contract/claims";
import { METRIC, OPERATION_NAME_CAP } from "../contract/metrics";
import { parseMetrics, total, type Sample } from "../contract/metrics-reading";
import { instanceEndpoint } from "../contract/topology";
import { startTestTopology, type TestTopology } from "./topology";
import { until } from "./eventually";

let t: TestTopology;

beforeAll(async () => {
  t = await startTestTopology(["MOJ", "ACA"]);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

async function scrape(graphqlUrl: string): Promise<Sample[]> {
  const response = await fetch(instanceEndpoint(graphqlUrl, "metrics"));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parseMetrics(await response.text());
}

const scrapeGateway = () => scrape(t.gateway.url);
const scrapeInstance = (name: string) => scrape(t.instances.get(name)!.url);
const is = (wanted: Record<string, string>) => (labels: Record<string, string>) => Object.entries(wanted).every(([key, value]) => labels[key] === value);

test("after a known sequence of requests, the gateway counts each agency's shard calls and each operation; each shard counts its own", async () => {
  const [gatewayBefore, mojBefore, acaBefore] = await Promise.all([scrapeGateway(), scrapeInstance("catalogue:MOJ"), scrapeInstance("catalogue:ACA")]);

  for (let i = 0; i < 3; i += 1) {
    const answer = await t.query(`query MojDatasets { datasets(first: 1, agencyCodes: ["MOJ"]) { totalCount } }`);
    expect(answer.errors).toBeUndefined();
  }
  for (let i = 0; i < 2; i += 1) {
    const answer = await t.query(`query AllDatasets { datasets(first: 1) { totalCount } }`);
    expect(answer.errors).toBeUndefined();
  }
  const refused = await t.query(`query Broken { noSuchField }`);
  expect(refused.errors?.[0].message).toContain("noSuchField");

  const [gateway, moj, aca] = await Promise.all([scrapeGateway(), scrapeInstance("catalogue:MOJ"), scrapeInstance("catalogue:ACA")]);
  const grew = (after: Sample[], before: Sample[], name: string, labels: Record<string, string>) => total(after, name, is(labels)) - total(before, name, is(labels));

  expect({
    MOJ: grew(gateway, gatewayBefore, METRIC.shardCalls, { subgraph: "catalogue", agency: "MOJ", outcome: "ok" }),
    ACA: grew(gateway, gatewayBefore, METRIC.shardCalls, { subgraph: "catalogue", agency: "ACA", outcome: "ok" }),
    failed: grew(gateway, gatewayBefore, METRIC.shardCalls, { outcome: "error" }) + grew(gateway, gatewayBefore, METRIC.shardCalls, { outcome: "timeout" }),
  }).toEqual({ MOJ: 5, ACA: 2, failed: 0 });
  expect({
    MojDatasets: grew(gateway, gatewayBefore, METRIC.requests, { operation: "MojDatasets", outcome: "ok" }),
    AllDatasets: grew(gateway, gatewayBefore, METRIC.requests, { operation: "AllDatasets", outcome: "ok" }),
    Broken: grew(gateway, gatewayBefore, METRIC.requests, { operation: "Broken", outcome: "BAD_USER_INPUT" }),
    timed: grew(gateway, gatewayBefore, `${METRIC.requestDuration}_count`, {}),
  }).toEqual({ MojDatasets: 3, AllDatasets: 2, Broken: 1, timed: 6 });
  // Each shard saw its own calls, and labels itself with its service and agency.
  expect(grew(moj, mojBefore, METRIC.requests, { service: "catalogue", agency: "MOJ", outcome: "ok" })).toBe(5);
  expect(grew(aca, acaBefore, METRIC.requests, { service: "catalogue", agency: "ACA", outcome: "ok" })).toBe(2);
  // Statements were timed on the shards' databases, whose pools are reported.
  expect(grew(moj, mojBefore, `${METRIC.dbStatementDuration}_count`, { outcome: "ok" })).toBeGreaterThanOrEqual(5);
  expect(moj.filter((s) => s.name === METRIC.dbPool).map((s) => s.labels.state).sort()).toEqual(["free", "pending", "used"]);
});

test("every server reports its version and schema fingerprint; instances of one subgraph share it", async () => {
  const [gateway, moj, aca, feedback] = await Promise.all([scrapeGateway(), scrapeInstance("catalogue:MOJ"), scrapeInstance("catalogue:ACA"), scrapeInstance("feedback:MOJ")]);
  const build = (samples: Sample[]) => samples.find((s) => s.name === METRIC.build)!.labels;
  expect(build(gateway)).toMatchObject({ service: "gateway", version: expect.stringMatching(/^\d+\.\d+\.\d+/), schema_hash: expect.stringMatching(/^[0-9a-f]{12}$/) });
  expect(build(moj).schema_hash).toBe(build(aca).schema_hash);
  expect(build(feedback).schema_hash).not.toBe(build(moj).schema_hash);
});

test("the gateway reports each routed shard's state from its readiness probes", async () => {
  const gateway = await scrapeGateway();
  const states = gateway.filter((s) => s.name === METRIC.shardState && s.value === 1).map((s) => `${s.labels.subgraph}:${s.labels.agency}`);
  expect(states.sort()).toEqual(["catalogue:ACA", "catalogue:MOJ", "feedback:ACA", "feedback:MOJ"]);
  expect(gateway.filter((s) => s.name === METRIC.shardState && s.labels.agency === "MOJ" && s.labels.subgraph === "catalogue" && s.value === 1)[0].labels.state).toMatch(/^(UP|UNKNOWN)$/);
});

test("the feedback backlog and the quality queue are read from the shard's database", async () => {
  // One open comment past its deadline, another due tomorrow.
  const open = await t.sql<{ id: string }>("feedback:MOJ", "select id from feedback where answered_at is null order by id limit 2");
  expect(open).toHaveLength(2);
  await t.sql("feedback:MOJ", "update feedback set reply_due_at = now() - interval '1 hour' where id = $1", [open[0].id]);
  await t.sql("feedback:MOJ", "update feedback set reply_due_at = now() + interval '1 day' where id = $1", [open[1].id]);
  const [{ due_soon: dueSoon, overdue }] = await t.sql<{ due_soon: number; overdue: number }>(
    "feedback:MOJ",
    `select count(*) filter (where reply_due_at > now() and reply_due_at <= now() + interval '3 days')::int as due_soon,
            count(*) filter (where reply_due_at <= now())::int as overdue
     from feedback where answered_at is null`,
  );
  const feedback = await scrapeInstance("feedback:MOJ");
  expect({ dueSoon: total(feedback, METRIC.feedbackBacklog, is({ state: "due_soon" })), overdue: total(feedback, METRIC.feedbackBacklog, is({ state: "overdue" })) }).toEqual({ dueSoon, overdue });
  expect(Math.min(dueSoon, overdue)).toBeGreaterThanOrEqual(1);

  // Two published datasets fall due: the queue grows by two.
  const before = total(await scrapeInstance("catalogue:ACA"), METRIC.qualityChecksDue);
  await t.sql("catalogue:ACA", `update dataset set next_quality_check_at = now() - interval '1 minute'
    where id in (select id from dataset where lifecycle_state = 'PUBLISHED' and next_quality_check_at > now() order by id limit 2)`);
  expect(total(await scrapeInstance("catalogue:ACA"), METRIC.qualityChecksDue)).toBe(before + 2);
});

test("labels stay few under random ids and random operation names", async () => {
  const names = Array.from({ length: OPERATION_NAME_CAP + 50 }, () => `Op_${randomUUID().replaceAll("-", "")}`);
  const ids = names.map(() => randomUUID());
  for (const [i, name] of names.entries()) {
    await t.query(`query ${name}($id: ID!) { dataset(agencyCode: "${i % 2 ? "MOJ" : "ACA"}", id: $id) { id } }`, { id: ids[i] });
  }
  const gateway = await scrapeGateway();
  const operations = new Set(gateway.filter((s) => s.name === METRIC.requests).map((s) => s.labels.operation));
  expect(operations.size).toBeLessThanOrEqual(OPERATION_NAME_CAP + 2);
  expect(operations.has("other")).toBe(true);
  for (const samples of [gateway, await scrapeInstance("catalogue:MOJ"), await scrapeInstance("catalogue:ACA")]) {
    expect(new Set(samples.filter((s) => s.name === METRIC.requests).map((s) => s.labels.operation)).size).toBeLessThanOrEqual(OPERATION_NAME_CAP + 2);
    const text = JSON.stringify(samples);
    expect(ids.filter((id) => text.includes(id))).toEqual([]);
  }
}, 120_000);

test("subscriptions are counted where they are open, and each delivered event's lag is observed at its shard", async () => {
  const token = await t.token(Role.MINISTRY_ADMIN);
  const client = createClient({ url: t.gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  const received: string[] = [];
  const lagBefore = total(await scrapeInstance("feedback:ACA"), `${METRIC.eventLag}_count`);
  const unsubscribe = client.subscribe<{ feedbackEvents: { type: string } }>(
    { query: 'subscription { feedbackEvents(agencyCodes: ["ACA"]) { type } }' },
    { next: ({ data }) => data && received.push(data.feedbackEvents.type), error: () => undefined, complete: () => undefined },
  );
  try {
    // The shard's stream is open once the gateway has subscribed upstream.
    await until(async () => total(await scrapeInstance("feedback:ACA"), METRIC.subscriptions) === 1, "the shard to count the subscription");
    expect(total(await scrapeGateway(), METRIC.subscriptions)).toBe(1);
    await submitFeedback();
    await until(async () => received.includes("FeedbackReceived"), "the event at the subscriber");
    expect(total(await scrapeInstance("feedback:ACA"), `${METRIC.eventLag}_count`)).toBeGreaterThan(lagBefore);
  } finally {
    unsubscribe();
    await client.dispose();
  }
  await until(async () => total(await scrapeGateway(), METRIC.subscriptions) === 0, "the gateway to count the subscription closed");
  // A shard's reader waiting on its outbox notices its subscriber left at its next event (outbox-feed.ts); then its stream ends.
  await submitFeedback();
  await until(async () => total(await scrapeInstance("feedback:ACA"), METRIC.subscriptions) === 0, "the shard to count its upstream closed");
});

async function submitFeedback(): Promise<void> {
  const submitted = await t.query("mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }", {
    input: { agencyCode: "ACA", email: "a@example.org", commentType: "資料內容有誤", title: "欄位錯誤", body: "第3欄數值有誤。" },
  });
  expect(submitted.errors).toBeUndefined();
}
