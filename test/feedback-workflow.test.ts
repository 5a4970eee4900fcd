/**
 * The reply workflow through the gateway, with dev tokens of each role:
 * nothing public before the owning CIO approves, every forbidden or illegal
 * step refused with nothing written, every step recorded.
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { encodeGatewayCursor } from "../gateway/shard-router/connection";
import { Role } from "../contract/claims";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";
import { eventually } from "./eventually";

let topology: TestTopology;
const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"]);
  tokens.acaStaff = await topology.token(Role.AGENCY_STAFF, "ACA");
  tokens.acaCio = await topology.token(Role.AGENCY_CIO, "ACA");
  tokens.mojStaff = await topology.token(Role.AGENCY_STAFF, "MOJ");
  tokens.mojCio = await topology.token(Role.AGENCY_CIO, "MOJ");
  tokens.admin = await topology.token(Role.MINISTRY_ADMIN);
});

afterAll(async () => {
  await topology?.stop();
});

const FIELDS = "id state replyDueAt lastReplyDay answeredAt deadlineState email replies { author body publishedAt }";

interface FeedbackView {
  id: string;
  state: string;
  replyDueAt: string;
  lastReplyDay: string;
  answeredAt: string | null;
  deadlineState: string;
  email: string | null;
  replies: { author: string; body: string; publishedAt: string | null }[];
}

async function step(mutation: string, input: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Record<string, { feedback: FeedbackView }>>> {
  return topology.query(`mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { feedback { ${FIELDS} } } }`, { input }, token);
}

async function view(id: string, token?: string): Promise<FeedbackView> {
  const response = await topology.query<{ feedback: FeedbackView }>(`{ feedback(agencyCode: "ACA", id: "${id}") { ${FIELDS} } }`, undefined, token);
  expect(response.errors).toBeUndefined();
  return response.data!.feedback;
}

async function counts(id: string) {
  const [row] = await topology.sql<{ replies: string; transitions: string; events: string }>(
    "feedback:ACA",
    `select (select count(*) from reply where feedback_id = $1) as replies,
            (select count(*) from feedback_transition where feedback_id = $1) as transitions,
            (select count(*) from outbox_event where subject_id = $1::text) as events`,
    [id],
  );
  return row;
}

/** A refused step: the expected code, and not one row written. */
async function refused(mutation: string, input: Record<string, unknown>, token: string | undefined, code: string) {
  const before = await counts(String(input.feedbackId));
  const stateBefore = (await view(String(input.feedbackId), tokens.admin)).state;
  const response = await step(mutation, input, token);
  expect(response.errors?.[0].extensions?.code).toBe(code);
  expect(await counts(String(input.feedbackId))).toEqual(before);
  expect((await view(String(input.feedbackId), tokens.admin)).state).toBe(stateBefore);
}

test("received → drafted → submitted → returned → revised → approved → followed up, with every wrong step refused", async () => {
  const submitted = await step("submitFeedback", {
    agencyCode: "ACA",
    email: "Lin@Example.org",
    commentType: "資源資料編碼錯誤",
    title: "CSV 編碼錯誤",
    body: "下載的 CSV 宣告為 UTF-8 但實為 BIG-5。",
  });
  expect(submitted.errors).toBeUndefined();
  const created = submitted.data!.submitFeedback.feedback;
  expect(created).toMatchObject({ state: "RECEIVED", email: null, replies: [], deadlineState: "ON_TIME" });
  const ref = { agencyCode: "ACA", feedbackId: created.id };
  // The deadline as people read it: the Taipei day before the exclusive instant replyDueAt, 14 days after receipt.
  const receivedOn = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Taipei" });
  expect(created.lastReplyDay).toBe(new Date(Date.parse(`${receivedOn}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10));
  expect(new Date(created.replyDueAt).toLocaleDateString("en-CA", { timeZone: "Asia/Taipei" })).not.toBe(created.lastReplyDay);

  await refused("draftReply", { ...ref, body: "x" }, tokens.mojStaff, "FORBIDDEN");
  await refused("draftReply", { ...ref, body: "x" }, tokens.acaCio, "FORBIDDEN");
  await refused("draftReply", { ...ref, body: "x" }, undefined, "FORBIDDEN");

  expect((await step("draftReply", { ...ref, body: "已修正編碼。" }, tokens.acaStaff)).data!.draftReply.feedback.state).toBe("REPLY_DRAFTED");
  expect((await view(created.id)).replies).toEqual([]);
  expect((await view(created.id, tokens.acaStaff)).replies).toEqual([{ author: "AGENCY", body: "已修正編碼。", publishedAt: null }]);

  await refused("approveReply", ref, tokens.acaCio, "CONFLICT");
  expect((await step("approveReply", ref, tokens.acaCio)).errors?.[0].message).toBe(
    "You cannot approve the reply now: this comment has a drafted reply not yet submitted for approval. Staff must submit a drafted reply for approval (submitReplyForApproval) before the CIO can approve it.",
  );
  await refused("submitReplyForApproval", ref, tokens.mojStaff, "FORBIDDEN");
  expect((await step("submitReplyForApproval", ref, tokens.acaStaff)).data!.submitReplyForApproval.feedback.state).toBe("AWAITING_APPROVAL");

  await refused("approveReply", ref, tokens.acaStaff, "FORBIDDEN");
  await refused("approveReply", ref, tokens.mojCio, "FORBIDDEN");
  await refused("approveReply", ref, tokens.admin, "FORBIDDEN");
  await refused("returnReply", { ...ref, reason: "   " }, tokens.acaCio, "BAD_USER_INPUT");
  expect((await step("returnReply", { ...ref, reason: "請說明修正後的檔案位置" }, tokens.acaCio)).data!.returnReply.feedback.state).toBe("RETURNED");
  expect((await view(created.id)).replies).toEqual([]);

  await step("draftReply", { ...ref, body: "已修正編碼，新檔案已上架。" }, tokens.acaStaff);
  await step("submitReplyForApproval", ref, tokens.acaStaff);
  const approved = (await step("approveReply", ref, tokens.acaCio)).data!.approveReply.feedback;
  expect(approved).toMatchObject({ state: "ANSWERED", deadlineState: "ANSWERED_ON_TIME" });
  expect(approved.answeredAt).not.toBeNull();
  expect((await view(created.id)).replies).toEqual([{ author: "AGENCY", body: "已修正編碼，新檔案已上架。", publishedAt: expect.any(String) }]);

  await refused("followUp", { ...ref, email: "someone.else@example.org", body: "?" }, undefined, "FORBIDDEN");
  const reopened = (await step("followUp", { ...ref, email: "lin@example.org", body: "還有一個欄位錯誤。" })).data!.followUp.feedback;
  expect(reopened).toMatchObject({ state: "RECEIVED", answeredAt: null });
  expect(new Date(reopened.replyDueAt).getTime()).toBeGreaterThanOrEqual(new Date(created.replyDueAt).getTime());
  expect((await view(created.id)).replies.map((reply) => reply.author)).toEqual(["AGENCY", "CITIZEN"]);

  const history = await topology.query<{ feedback: { transitions: { action: string; fromState: string; toState: string; actorRole: string; reason: string | null }[] } }>(
    `{ feedback(agencyCode: "ACA", id: "${created.id}") { transitions { action fromState toState actorRole reason } } }`,
    undefined,
    tokens.acaCio,
  );
  expect(history.data!.feedback.transitions[0]).toMatchObject({ action: "RECEIVE", fromState: null, toState: "RECEIVED" });
  expect(history.data!.feedback.transitions.map((t) => [t.action, t.toState, t.actorRole])).toEqual([
    ["RECEIVE", "RECEIVED", "PUBLIC"],
    ["DRAFT_REPLY", "REPLY_DRAFTED", "AGENCY_STAFF"],
    ["SUBMIT_REPLY_FOR_APPROVAL", "AWAITING_APPROVAL", "AGENCY_STAFF"],
    ["RETURN_REPLY", "RETURNED", "AGENCY_CIO"],
    ["DRAFT_REPLY", "REPLY_DRAFTED", "AGENCY_STAFF"],
    ["SUBMIT_REPLY_FOR_APPROVAL", "AWAITING_APPROVAL", "AGENCY_STAFF"],
    ["APPROVE_REPLY", "ANSWERED", "AGENCY_CIO"],
    ["FOLLOW_UP", "RECEIVED", "PUBLIC"],
  ]);
  expect(history.data!.feedback.transitions[3].reason).toBe("請說明修正後的檔案位置");
  const forbidden = await topology.query(`{ feedback(agencyCode: "ACA", id: "${created.id}") { transitions { action } } }`);
  expect(forbidden.errors?.[0].extensions?.code).toBe("FORBIDDEN");

  const events = await topology.sql<{ type: string; title: string }>(
    "feedback:ACA",
    "select type, payload->>'title' as title from outbox_event where subject_id = $1 order by seq",
    [created.id],
  );
  expect(events.map((e) => e.type)).toEqual([
    "FeedbackReceived",
    "ReplyDrafted",
    "ReplySubmittedForApproval",
    "ReplyReturned",
    "ReplyDrafted",
    "ReplySubmittedForApproval",
    "ReplyApproved",
    "FeedbackFollowedUp",
  ]);
  // The history and the events tell the same story, step for step; each event names the comment, as a live page lists it.
  expect(history.data!.feedback.transitions).toHaveLength(events.length);
  expect(new Set(events.map((e) => e.title))).toEqual(new Set(["CSV 編碼錯誤"]));
});

test("live feedback events: the public sees public steps, an agency its own, the ministry all", async () => {
  const received = new Map<string, string[]>();
  const failures = new Map<string, unknown[]>();
  const untitled: string[] = [];
  const clients = await Promise.all(
    (["admin", "acaStaff", "mojStaff", "public"] as const).map(async (who) => {
      received.set(who, []);
      failures.set(who, []);
      const client = createClient({
        url: topology.gateway.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {},
        retryAttempts: 0,
      });
      client.subscribe<{ feedbackEvents: { type: string; agencyCode: string; payload: { title?: unknown } } }>(
        { query: "subscription($after: String) { feedbackEvents(after: $after) { type agencyCode payload } }", variables: { after: encodeGatewayCursor({ MOJ: "0", ACA: "0" }) } },
        {
          // The stream's first message marks where it starts (its cursor resumes it); the events follow.
          next: (result) => {
            const event = result.data?.feedbackEvents;
            if (!event || event.type === "STREAM_POSITION") return;
            received.get(who)!.push(`${event.agencyCode}:${event.type}`);
            // Each names what it is about, as the live page lists it.
            if (typeof event.payload.title !== "string" || event.payload.title === "") untitled.push(`${who} ${event.agencyCode}:${event.type}`);
          },
          error: (error) => failures.get(who)!.push(error),
          complete: () => undefined,
        },
      );
      return client;
    }),
  );
  const all = [
    ...(await topology.sql<{ type: string }>("feedback:MOJ", "select type from outbox_event order by seq")).map((e) => `MOJ:${e.type}`),
    ...(await topology.sql<{ type: string }>("feedback:ACA", "select type from outbox_event order by seq")).map((e) => `ACA:${e.type}`),
  ];
  const publicTypes = new Set(["FeedbackReceived", "ReplyApproved", "FeedbackFollowedUp", "FeedbackClosed"]);
  const expected = new Map([
    ["admin", all],
    ["acaStaff", all.filter((e) => e.startsWith("ACA:"))],
    ["mojStaff", all.filter((e) => e.startsWith("MOJ:"))],
    ["public", all.filter((e) => publicTypes.has(e.split(":")[1]))],
  ]);
  // Every subscriber is waited for (on a loaded machine one may connect well after another has received everything),
  // then a little longer, so that an event delivered twice or to the wrong viewer would be seen.
  await eventually(async () => [...expected].every(([who, events]) => received.get(who)!.length >= events.length), Boolean, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  await Promise.all(clients.map((client) => client.dispose()));

  const sorted = (list: string[]) => [...list].sort();
  for (const [who, events] of expected) {
    expect({ who, events: sorted(received.get(who)!), failures: failures.get(who) }).toEqual({ who, events: sorted(events), failures: [] });
  }
  expect(received.get("public")).not.toContain("ACA:ReplyDrafted");
  expect(untitled).toEqual([]);
});
