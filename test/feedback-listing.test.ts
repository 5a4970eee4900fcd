/**
 * The reply desk's queue (`agencyFeedback`): a dataset's comments, or those
 * still waiting for an approved reply, by deadline, walked page by page to
 * exactly the rows PostgreSQL selects with the same conditions.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { subgraphs } from "../subgraphs";
import { CLAIMS_HEADER, Role, signClaims } from "../contract/claims";
import { loadSecrets } from "../contract/config";
import { dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `f${randomBytes(4).toString("hex")}`;
const DATASETS = [randomUUID(), randomUUID()];
const COMMENTS = 45;
let feedback: RunningInstance;
let claims: string;

beforeAll(async () => {
  feedback = await startInstance(subgraphs.feedback, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, seed: false, port: 0 });
  // A third of the comments on each dataset, the rest on none; states in turn; deadlines with ties, broken by id,
  // and finer than a millisecond as SQL writes them (the column keeps what a cursor can hold).
  await feedback.orm.em.fork().getConnection().execute(
    `insert into feedback (id, agency_code, dataset_id, email, comment_type, title, body, received_at, reply_due_at, state, answered_at)
     select gen_random_uuid(), 'MOJ', (array[?::uuid, ?::uuid, null])[n % 3 + 1], 'c@example.org', '資料內容有誤', '意見 ' || n, '內容',
            now() - interval '20 days', now() + (n / 4) * interval '1 day',
            (array['RECEIVED', 'REPLY_DRAFTED', 'AWAITING_APPROVAL', 'RETURNED', 'ANSWERED', 'CLOSED'])[n % 6 + 1],
            case when n % 6 = 4 then now() - interval '1 day' end
     from generate_series(1, ?) as n`,
    [DATASETS[0], DATASETS[1], COMMENTS],
  );
  claims = await signClaims({ sub: "desk", role: Role.AGENCY_STAFF, agencyCode: "MOJ" }, loadSecrets().internalSecret, 600);
});

afterAll(async () => {
  await feedback?.stop();
  await dropDatabases(serverUrl(), prefix);
});

interface Page {
  totalCount: number;
  edges: { node: { id: string; state: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every page of the queue with `args`, 7 at a time: the ids in order, and the total each page reported. */
async function walk(args: string): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  do {
    const response = await fetch(feedback.url, {
      method: "POST",
      headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
      body: JSON.stringify({
        query: `query($after: String) { agencyFeedback(agencyCode: "MOJ", first: 7, after: $after, ${args}) { totalCount edges { node { id state } } pageInfo { hasNextPage endCursor } } }`,
        variables: { after },
      }),
    });
    const body = (await response.json()) as { data?: { agencyFeedback: Page }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    const page = body.data!.agencyFeedback;
    ids.push(...page.edges.map((edge) => edge.node.id));
    totals.push(page.totalCount);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return { ids, totals };
}

async function expected(where: string, values: unknown[] = []): Promise<string[]> {
  const rows = await feedback.orm.em.fork().getConnection().execute<{ id: string }[]>(`select id from feedback where ${where} order by reply_due_at, id`, values);
  return rows.map((row) => row.id);
}

test("the whole queue, page by page, by deadline and then id", async () => {
  const { ids, totals } = await walk("unanswered: false");
  expect(ids).toEqual(await expected("true"));
  expect(new Set(totals)).toEqual(new Set([COMMENTS]));
});

test("only comments still waiting for an approved reply", async () => {
  const { ids, totals } = await walk("unanswered: true");
  const want = await expected("state in ('RECEIVED', 'REPLY_DRAFTED', 'AWAITING_APPROVAL', 'RETURNED')");
  expect(want.length).toBeGreaterThan(7);
  expect(ids).toEqual(want);
  expect(new Set(totals)).toEqual(new Set([want.length]));
});

test("one dataset's comments, and of those the unanswered ones", async () => {
  expect((await walk(`datasetId: "${DATASETS[0]}"`)).ids).toEqual(await expected("dataset_id = ?", [DATASETS[0]]));
  const { ids, totals } = await walk(`datasetId: "${DATASETS[1]}", unanswered: true`);
  const want = await expected("dataset_id = ? and state not in ('ANSWERED', 'CLOSED')", [DATASETS[1]]);
  expect(want.length).toBeGreaterThan(7);
  expect(ids).toEqual(want);
  expect(new Set(totals)).toEqual(new Set([want.length]));
  expect((await walk(`datasetId: "${randomUUID()}"`)).ids).toEqual([]);
});
