/**
 * Deadline reminders from a durable scheduler: the database is its memory,
 * so a restart neither loses nor repeats a reminder; the clock is injected.
 */
import { MikroORM } from "@mikro-orm/postgresql";
import { sendDueReminders } from "../subgraphs/feedback/reminders";
import { feedback as feedbackSubgraph } from "../subgraphs/feedback";
import { Role } from "../contract/claims";
import { loggerFor } from "../contract/logger";
import { databaseUrl } from "../subgraphs/kit/database";
import { openOrm } from "../subgraphs/kit/orm";
import { startTestTopology, type TestTopology } from "./topology";

let topology: TestTopology;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
});

afterAll(async () => {
  await topology?.stop();
});

/** A fresh ORM on the shard's database: what a restarted (or another) process would have. */
function freshOrm(): Promise<MikroORM> {
  const instance = topology.instances.get("feedback:ACA")!;
  return openOrm({
    url: databaseUrl(topology.serverUrl, instance.database),
    entities: feedbackSubgraph.entities,
    migrations: feedbackSubgraph.migrations,
    log: loggerFor("feedback", "ACA"),
  });
}

async function remindersOf(id: string) {
  return topology.sql<{ type: string; title: string }>(
    "feedback:ACA",
    "select type, payload->>'title' as title from outbox_event where subject_id = $1 and type in ('ReplyDueSoon', 'ReplyOverdue') order by seq",
    [id],
  );
}

async function submit(title: string): Promise<{ id: string; replyDueAt: string }> {
  const response = await topology.query<{ submitFeedback: { feedback: { id: string; replyDueAt: string } } }>(
    "mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id replyDueAt } } }",
    { input: { agencyCode: "ACA", email: "wu@example.org", commentType: "資料內容有誤", title, body: "內容" } },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.submitFeedback.feedback;
}

const DAY = 24 * 60 * 60 * 1000;

test("due soon, then overdue, each sent once across a restart; none for an answered comment", async () => {
  const open = await submit("未回覆");
  const answered = await submit("已回覆");
  const due = new Date(open.replyDueAt).getTime();
  const staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  const cio = await topology.token(Role.AGENCY_CIO, "ACA");
  const ref = { agencyCode: "ACA", feedbackId: answered.id };
  await topology.query("mutation($i: DraftReplyInput!) { draftReply(input: $i) { feedback { id } } }", { i: { ...ref, body: "答覆" } }, staff);
  await topology.query("mutation($i: SubmitReplyForApprovalInput!) { submitReplyForApproval(input: $i) { feedback { id } } }", { i: ref }, staff);
  await topology.query("mutation($i: ApproveReplyInput!) { approveReply(input: $i) { feedback { id } } }", { i: ref }, cio);

  const first = await freshOrm();
  await sendDueReminders(first.em.fork(), new Date(due - 4 * DAY));
  expect(await remindersOf(open.id)).toEqual([]);
  await sendDueReminders(first.em.fork(), new Date(due - 2 * DAY));
  await sendDueReminders(first.em.fork(), new Date(due - 2 * DAY));
  expect((await remindersOf(open.id)).map((e) => e.type)).toEqual(["ReplyDueSoon"]);
  await first.close(true);

  // "Restart": another process, two dispatchers racing at the same instant.
  const second = await freshOrm();
  const third = await freshOrm();
  await Promise.all([sendDueReminders(second.em.fork(), new Date(due + 1000)), sendDueReminders(third.em.fork(), new Date(due + 1000))]);
  await sendDueReminders(second.em.fork(), new Date(due + 2 * DAY));
  await Promise.all([second.close(true), third.close(true)]);

  // Each names the comment, as the agency's live page lists it.
  expect((await remindersOf(open.id)).map((e) => `${e.type}: ${e.title}`)).toEqual(["ReplyDueSoon: 未回覆", "ReplyOverdue: 未回覆"]);
  expect(await remindersOf(answered.id)).toEqual([]);
});
