/**
 * Public submission that cannot lose or double a comment: acknowledged only
 * after commit, retried submissions stored once, per-client rate limit.
 */
import { Role } from "../contract/claims";
import { config } from "../contract/config";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";

let topology: TestTopology;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
});

afterAll(async () => {
  await topology?.stop();
});

const SUBMIT = "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id title } } }";

function submit(input: Record<string, unknown>, token?: string): Promise<GraphQLResponse<{ submitFeedback: { feedback: { id: string; title: string } } }>> {
  return topology.query(SUBMIT, { input: { agencyCode: "ACA", email: "chen@example.org", commentType: "資料內容有誤", body: "內容", title: "標題", ...input } }, token);
}

async function rows(where: string, values: unknown[]): Promise<number> {
  const [row] = await topology.sql<{ count: string }>("feedback:ACA", `select count(*) from ${where}`, values);
  return Number(row.count);
}

test("a submission retried with its idempotency key is stored once, even when the retries race", async () => {
  const key = "0b9d6a4e-5a0f-4c1e-9f5e-7d2b1c3a4e5f";
  const first = await submit({ idempotencyKey: key, title: "重送" });
  const again = await submit({ idempotencyKey: key, title: "重送" });
  expect(again.data!.submitFeedback.feedback.id).toBe(first.data!.submitFeedback.feedback.id);

  const racingKey = "7f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a190";
  const racing = await Promise.all(Array.from({ length: 6 }, () => submit({ idempotencyKey: racingKey, title: "同時重送" })));
  expect(racing.every((r) => r.errors === undefined)).toBe(true);
  expect(new Set(racing.map((r) => r.data!.submitFeedback.feedback.id)).size).toBe(1);

  expect(await rows("feedback where idempotency_key in ($1, $2)", [key, racingKey])).toBe(2);
  expect(await rows("outbox_event where type = 'FeedbackReceived' and subject_id in (select id::text from feedback where idempotency_key in ($1, $2))", [key, racingKey])).toBe(2);
});

test("a key reused for a different comment is refused", async () => {
  const key = "c0ffee00-1111-4222-8333-444455556666";
  await submit({ idempotencyKey: key, title: "第一則" });
  const reused = await submit({ idempotencyKey: key, title: "另一則" });
  expect(reused.errors?.[0].extensions?.code).toBe("CONFLICT");
  expect(await rows("feedback where title = $1", ["另一則"])).toBe(0);
});

test("input is validated field by field, and stored exactly as given", async () => {
  const invalid = await submit({ email: "not-an-email", title: "x".repeat(256), body: "" });
  expect(invalid.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  expect((invalid.errors?.[0].extensions?.fields as { path: string }[]).map((f) => f.path).sort()).toEqual(["input.body", "input.email", "input.title"]);
  const markup = "<script>alert('x')</script> & 標題";
  const stored = await submit({ title: markup });
  expect(stored.data!.submitFeedback.feedback.title).toBe(markup);
});

test("one client gets a clear error past its hourly quota, and a refused comment or dataset request writes nothing", async () => {
  const token = await topology.token(Role.PUBLIC);
  const hour = 60 * 60 * 1000;
  // Stay inside one quota window.
  const intoHour = Date.now() % hour;
  if (hour - intoHour < 15_000) await new Promise((r) => setTimeout(r, hour - intoHour + 100));
  const client = "subject:test-public";
  const [used] = await topology.sql<{ submissions: number }>(
    "feedback:ACA",
    "select coalesce(sum(submissions), 0)::int as submissions from submission_quota where client = $1 and window_start = date_trunc('hour', now())",
    [client],
  );
  for (let i = used.submissions; i < config.feedbackSubmissionsPerHour; i++) {
    const accepted = await submit({ title: `配額 ${i}` }, token);
    expect(accepted.errors).toBeUndefined();
  }
  // Nothing of a comment is written, nor the refused submission counted.
  const written = async () => ({
    rows: await Promise.all(["feedback", "feedback_transition", "outbox_event", "reminder"].map((table) => rows(table, []))),
    counted: await rows("submission_quota, generate_series(1, submissions) where client = $1", [client]),
  });
  const before = await written();
  const refused = await submit({ title: "超過配額" }, token);
  expect(refused.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
  expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
  expect(refused.errors?.[0].message).toMatch(/try again in \d+ minutes/);
  expect(await written()).toEqual(before);
  // Dataset requests count against the same quota, and a refused one writes nothing either.
  const requestsBefore = await rows("dataset_request", []);
  const eventsBefore = await rows("outbox_event", []);
  const refusedRequest = await topology.query<{ submitDatasetRequest: { request: { id: string } } }>(
    "mutation($input: SubmitDatasetRequestInput!) { submitDatasetRequest(input: $input) { request { id } } }",
    { input: { agencyCode: "ACA", email: "chen@example.org", title: "請開放統計", body: "超過配額" } },
    token,
  );
  expect(refusedRequest.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
  expect(await rows("dataset_request", [])).toBe(requestsBefore);
  expect(await rows("outbox_event", [])).toBe(eventsBefore);
  // Another client is not affected.
  expect((await submit({ title: "另一位民眾" })).errors).toBeUndefined();
});
