/**
 * Every read path issues the same number of SQL statements for a page of 2
 * as for a page of 40: lists, their nested fields (resources, quality,
 * replies) and entity lookups are batched, never a statement per row (the
 * gateway's dataset page: catalogue-listing.test.ts).
 * Statements are counted as the ORM's connection sends them (knex's query
 * event), on real PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { subgraphs } from "../subgraphs";
import { CLAIMS_HEADER, Role, signClaims } from "../contract/claims";
import { config, loadSecrets } from "../contract/config";
import { configureFeedback } from "../subgraphs/feedback/context";
import { feedbackStats } from "../subgraphs/feedback/deadline";
import { dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `s${randomBytes(4).toString("hex")}`;
const ROWS = 40;
let catalogue: RunningInstance;
let feedback: RunningInstance;
let claims: string;

beforeAll(async () => {
  [catalogue, feedback] = await Promise.all([
    startInstance(subgraphs.catalogue, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, seed: false, port: 0 }),
    startInstance(subgraphs.feedback, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, seed: false, port: 0 }),
  ]);
  const sql = (instance: RunningInstance, text: string) => instance.orm.em.fork().getConnection().execute(text);
  await sql(
    catalogue,
    `insert into dataset (id, agency_code, identifier, title, description, category, type, license, accrual_periodicity, issued, modified, lifecycle_state)
     select gen_random_uuid(), 'MOJ', 'MOJ-S-' || lpad(n::text, 3, '0'), '資料集 ' || n, '說明', '公共資訊', 'RAW_DATA', '政府資料開放授權條款-第1版', '每1年',
            date '2015-01-01' + n, now(), 'PUBLISHED'
     from generate_series(1, ${ROWS}) as n`,
  );
  await sql(
    catalogue,
    `insert into resource (id, dataset_id, resource_id, description, format, encoding, download_url, position)
     select gen_random_uuid(), d.id, d.identifier || '-00' || p, '檔案', 'CSV', 'UTF-8', 'https://example.gov.tw/' || d.identifier || '/' || p, p
     from dataset d, generate_series(1, 2) as p`,
  );
  await sql(
    feedback,
    `insert into feedback (id, agency_code, email, comment_type, title, body, received_at, reply_due_at, state)
     select gen_random_uuid(), 'MOJ', 'c@example.org', '資料內容有誤', '意見 ' || n, '內容', now() - n * interval '1 hour', now() + n * interval '1 hour', 'RECEIVED'
     from generate_series(1, ${ROWS}) as n`,
  );
  await sql(
    feedback,
    `insert into reply (id, feedback_id, author, body, created_at) select gen_random_uuid(), id, 'CITIZEN', '補充', now() from feedback`,
  );
  claims = await signClaims({ sub: "statements", role: Role.MINISTRY_ADMIN }, loadSecrets().internalSecret, 600);
});

afterAll(async () => {
  await Promise.all([catalogue?.stop(), feedback?.stop()]);
  await dropDatabases(serverUrl(), prefix);
});

/** The answer to `query` on `instance`, and how many SQL statements the instance sent for it. */
async function counted(instance: RunningInstance, query: string, variables: Record<string, unknown> = {}) {
  const knex = instance.orm.em.getConnection().getKnex();
  let statements = 0;
  const count = () => void (statements += 1);
  knex.on("query", count);
  try {
    const response = await fetch(instance.url, {
      method: "POST",
      headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    // The counter sees the ORM's statements at all (else every comparison below would hold trivially).
    expect(statements).toBeGreaterThan(0);
    return { data: body.data!, statements };
  } finally {
    knex.off("query", count);
  }
}

test("an agency's datasets reached through the Agency entity take as many statements for 2 rows as for 40", async () => {
  const query = `query($first: Int!) { _entities(representations: [{ __typename: "Agency", code: "MOJ" }]) { ... on Agency { datasets(first: $first) { totalCount edges { node { title resources { format } } } } } } }`;
  const small = await counted(catalogue, query, { first: 2 });
  const large = await counted(catalogue, query, { first: ROWS });
  expect(large.data._entities[0].datasets.edges).toHaveLength(ROWS);
  expect(large.data._entities[0].datasets.totalCount).toBe(ROWS);
  expect(large.statements).toBe(small.statements);
});

test("dataset entity lookups take as many statements for 2 datasets as for 40", async () => {
  const ids = (await counted(catalogue, `{ datasets(first: ${ROWS}) { edges { node { id } } } }`)).data.datasets.edges.map((edge: { node: { id: string } }) => edge.node.id);
  const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Dataset { identifier resources { format } quality { level } } } }`;
  const representations = (chosen: string[]) => chosen.map((id) => ({ __typename: "Dataset", agencyCode: "MOJ", id }));
  const small = await counted(catalogue, query, { representations: representations(ids.slice(0, 2)) });
  const large = await counted(catalogue, query, { representations: representations(ids) });
  expect(large.data._entities).toHaveLength(ROWS);
  expect(large.data._entities.every((dataset: { identifier?: string }) => dataset?.identifier)).toBe(true);
  expect(large.statements).toBe(small.statements);
});

test("the feedback listing, with replies, takes as many statements for 2 comments as for 40; so do comment lookups", async () => {
  const query = `query($first: Int!) { agencyFeedback(agencyCode: "MOJ", first: $first) { totalCount edges { node { id title deadlineState replies { body } } } } }`;
  const small = await counted(feedback, query, { first: 2 });
  const large = await counted(feedback, query, { first: ROWS });
  expect(large.data.agencyFeedback.edges).toHaveLength(ROWS);
  expect(large.data.agencyFeedback.edges[0].node.replies).toEqual([{ body: "補充" }]);
  expect(large.statements).toBe(small.statements);

  const ids = large.data.agencyFeedback.edges.map((edge: { node: { id: string } }) => edge.node.id);
  const lookup = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Feedback { title replies { body } } } }`;
  const representations = (chosen: string[]) => chosen.map((id) => ({ __typename: "Feedback", agencyCode: "MOJ", id }));
  const few = await counted(feedback, lookup, { representations: representations(ids.slice(0, 2)) });
  const many = await counted(feedback, lookup, { representations: representations(ids) });
  expect(many.data._entities.map((comment: { title: string }) => comment.title).sort()).toEqual(large.data.agencyFeedback.edges.map((edge: { node: { title: string } }) => edge.node.title).sort());
  expect(many.statements).toBe(few.statements);
});

test("feedbackStats, counted by PostgreSQL, agrees with the deadline rules applied to every comment", async () => {
  // Answered on time, answered late, answered after more days than the histogram has, overdue, open: away from any boundary.
  await feedback.orm.em.fork().getConnection().execute(
    `update feedback set
       reply_due_at = case when n % 5 = 3 then now() - interval '2 days' else received_at + interval '14 days' end,
       answered_at = case n % 5 when 0 then received_at + (n % 13) * interval '1 day' + interval '3 hours'
                                when 1 then received_at + interval '20 days'
                                when 2 then received_at + interval '45 days' end,
       state = case when n % 5 in (0, 1, 2) then 'ANSWERED' else 'RECEIVED' end
     from (select id as numbered, row_number() over (order by id) as n from feedback) as t where id = numbered`,
  );
  const rows = await feedback.orm.em.fork().getConnection().execute<{ received_at: string; reply_due_at: string; answered_at: string | null }[]>(
    "select received_at, reply_due_at, answered_at from feedback",
  );
  const expected = feedbackStats(
    rows.map((row) => ({ receivedAt: new Date(row.received_at), replyDueAt: new Date(row.reply_due_at), answeredAt: row.answered_at ? new Date(row.answered_at) : null })),
    new Date(),
    configureFeedback(config).deadline,
  );
  const { data } = await counted(feedback, `{ _entities(representations: [{ __typename: "Agency", code: "MOJ" }]) { ... on Agency { feedbackStats { received answered answeredOnTime overdue daysToReplyHistogram } } } }`);
  expect(expected).toMatchObject({ received: ROWS, overdue: expect.any(Number) });
  expect(expected.answered).toBeGreaterThan(0);
  expect(expected.overdue).toBeGreaterThan(0);
  expect(data._entities[0].feedbackStats).toEqual(expected);
});

test("a page counts every match only when totalCount is asked for, and once however often it is selected", async () => {
  const page = (selection: string) => `{ datasets(first: 5) { ${selection} edges { node { title } } } }`;
  const without = await counted(catalogue, page(""));
  const withCount = await counted(catalogue, page("totalCount"));
  const twice = await counted(catalogue, page("totalCount all: totalCount"));
  expect(withCount.data.datasets.totalCount).toBe(ROWS);
  expect(twice.data.datasets.all).toBe(ROWS);
  expect(withCount.statements).toBe(without.statements + 1);
  expect(twice.statements).toBe(withCount.statements);
});
