/**
 * Reassigning a dataset request moves it to the other agency's shard: not
 * lost while the target is down, not doubled when the move is interrupted
 * between its steps, resumed by a new gateway after the old one stopped.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client as PgClient } from "pg";
import { issueDevToken } from "../gateway/auth";
import { startGateway, type RunningGateway } from "../gateway/server";
import { subgraphs } from "../subgraphs";
import { CLAIMS_HEADER, Role, signClaims, SYSTEM_SUBJECTS } from "../contract/claims";
import { loadSecrets, projectRoot } from "../contract/config";
import { databaseName, databaseUrl, dropDatabases } from "../subgraphs/kit/database";
import { startInstance, type RunningInstance } from "../subgraphs/kit/server";
import { startSubgraphProcess, type ServerProcess } from "../scripts/server-process";
import { until } from "./eventually";

const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `r${randomBytes(4).toString("hex")}`;
let moj: RunningInstance;
let aca: ServerProcess;
let gateway: RunningGateway | undefined;

const startOurGateway = (transferIntervalMs = 100) =>
  startGateway({
    supergraph: readFileSync(join(projectRoot, "schema", "supergraph.graphql"), "utf8"),
    secrets: loadSecrets(),
    topology: { subgraphs: {}, shards: { catalogue: {}, feedback: { MOJ: moj.url, ACA: aca.url } } },
    port: 0,
    transferIntervalMs,
  });

beforeAll(async () => {
  [moj, aca] = await Promise.all([
    startInstance(subgraphs.feedback, { agencyCode: "MOJ", serverUrl: serverUrl(), databasePrefix: prefix, port: 0, seed: false }),
    startSubgraphProcess("feedback:ACA", { serverUrl: serverUrl(), databasePrefix: prefix }),
  ]);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([moj?.stop(), aca?.stop()]);
  await dropDatabases(serverUrl(), prefix);
});

async function query<T>(text: string, variables: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(gateway!.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: text, variables }),
  });
  return (await response.json()) as never;
}

async function sqlOn<T>(agencyCode: string, text: string, values: unknown[]): Promise<T[]> {
  const client = new PgClient({ connectionString: databaseUrl(serverUrl(), databaseName("feedback", agencyCode, prefix)) });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const rows = (agencyCode: string, id: string) =>
  sqlOn<{ state: string; assigned_agencies: string[] }>(agencyCode, "select state, assigned_agencies from dataset_request where id = $1", [id]);

/** The staff of the agency holding a request reassign it (step 1 of a move), and it is on its way. */
async function reassign(id: string, agencyCode: string, toAgencyCode: string, reason: string): Promise<void> {
  const staff = await issueDevToken({ sub: `${agencyCode.toLowerCase()}-staff`, role: Role.AGENCY_STAFF, agencyCode }, loadSecrets());
  const reassigned = await query<{ reassignDatasetRequest: { request: { state: string; transferredTo: string } } }>(
    "mutation($input: ReassignDatasetRequestInput!) { reassignDatasetRequest(input: $input) { request { state transferredTo } } }",
    { input: { agencyCode, requestId: id, toAgencyCode, reason } },
    staff,
  );
  expect(reassigned.errors).toBeUndefined();
  expect(reassigned.data!.reassignDatasetRequest.request).toEqual({ state: "TRANSFERRING", transferredTo: toAgencyCode });
}

async function submitAndReassign(title: string): Promise<string> {
  const submitted = await query<{ submitDatasetRequest: { request: { id: string } } }>(
    "mutation($input: SubmitDatasetRequestInput!) { submitDatasetRequest(input: $input) { request { id } } }",
    { input: { agencyCode: "MOJ", email: "hsu@example.org", title, body: "希望開放各監所收容人數之每日資料。" } },
  );
  expect(submitted.errors).toBeUndefined();
  const id = submitted.data!.submitDatasetRequest.request.id;
  await reassign(id, "MOJ", "ACA", "收容資料由矯正署提供");
  return id;
}

/** Step 2 of a move sent straight to a shard, as the relay sends it: the test plays a relay that dies or delivers twice. */
async function acceptAsRelay(shardUrl: string, input: Record<string, unknown>): Promise<{ errors?: unknown[] }> {
  const claims = await signClaims({ sub: SYSTEM_SUBJECTS.TRANSFER_RELAY, role: Role.MINISTRY_ADMIN }, loadSecrets().internalSecret, 60);
  const response = await fetch(shardUrl, {
    method: "POST",
    headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
    body: JSON.stringify({ query: "mutation($input: AcceptDatasetRequestInput!) { acceptDatasetRequest(input: $input) { request { id } } }", variables: { input } }),
  });
  return (await response.json()) as never;
}

test("a request reassigned while the target shard is down waits at its source, then moves once the target is back", async () => {
  gateway = await startOurGateway();
  await aca.kill();
  const id = await submitAndReassign("監所收容人數每日資料");
  await new Promise((r) => setTimeout(r, 600));
  expect(await rows("MOJ", id)).toEqual([{ state: "TRANSFERRING", assigned_agencies: ["MOJ"] }]);

  await aca.restart();
  await until(async () => (await rows("MOJ", id))[0].state === "TRANSFERRED", "the move to finish");
  expect(await rows("ACA", id)).toEqual([{ state: "OPEN", assigned_agencies: ["MOJ", "ACA"] }]);

  // The gateway calls ACA's shard again once a health probe finds it ready (a DOWN shard is not called).
  const readMoved = () =>
    query<{ datasetRequest: { agencyCode: string; state: string; assignedAgencies: string[] } | null }>(
      `{ datasetRequest(agencyCode: "ACA", id: "${id}") { agencyCode state assignedAgencies } }`,
      {},
    );
  await until(async () => (await readMoved()).data?.datasetRequest != null, "the gateway to route to ACA's shard again");
  const moved = await readMoved();
  expect(moved.data!.datasetRequest).toEqual({ agencyCode: "ACA", state: "OPEN", assignedAgencies: ["MOJ", "ACA"] });
  const tombstone = await query<{ datasetRequest: { state: string; transferredTo: string } }>(`{ datasetRequest(agencyCode: "MOJ", id: "${id}") { state transferredTo } }`, {});
  expect(tombstone.data!.datasetRequest).toEqual({ state: "TRANSFERRED", transferredTo: "ACA" });
}, 60_000);

test("a move interrupted after the target accepted it is resumed by a new gateway, and the target keeps one copy", async () => {
  await gateway!.stop();
  gateway = undefined;
  // Step 1 through a gateway whose relay will not run before it stops.
  gateway = await startOurGateway(3_600_000);
  const id = await submitAndReassign("矯正機關戒護人力");
  // Step 2 as a relay would do it, then the relay "dies" before step 3.
  const accepted = await acceptAsRelay(aca.url, { agencyCode: "ACA", id, fromAgencyCode: "MOJ", email: "hsu@example.org", title: "矯正機關戒護人力", body: "b", receivedAt: new Date().toISOString(), assignedAgencies: ["MOJ"] });
  expect(accepted.errors).toBeUndefined();
  await gateway.stop();

  gateway = await startOurGateway();
  await until(async () => (await rows("MOJ", id))[0].state === "TRANSFERRED", "the resumed move to finish");
  expect(await rows("ACA", id)).toHaveLength(1);
}, 60_000);

test("only the gateway's relay may move requests; a user token claiming its subject is refused", async () => {
  const forged = await issueDevToken({ sub: SYSTEM_SUBJECTS.TRANSFER_RELAY, role: Role.MINISTRY_ADMIN }, loadSecrets());
  const response = await query("{ pendingDatasetRequestTransfers { email } }", {}, forged);
  expect(response.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
  const admin = await issueDevToken({ sub: "admin", role: Role.MINISTRY_ADMIN }, loadSecrets());
  const asAdmin = await query("{ pendingDatasetRequestTransfers { email } }", {}, admin);
  expect(asAdmin.errors?.[0].extensions?.code).toBe("FORBIDDEN");
});

test("the agency now holding a request closes it with its answer; another agency cannot", async () => {
  const id = await submitAndReassign("各監所醫療資源");
  await until(async () => (await rows("ACA", id)).length === 1, "the move to finish");
  const close = (token: string, agencyCode: string) =>
    query<{ closeDatasetRequest: { request: { state: string; replyType: string; reply: string } } }>(
      "mutation($input: CloseDatasetRequestInput!) { closeDatasetRequest(input: $input) { request { state replyType reply } } }",
      { input: { agencyCode, requestId: id, replyType: "PLANNED", reply: "預計明年第一季開放。" } },
      token,
    );
  const mojStaff = await issueDevToken({ sub: "moj-staff", role: Role.AGENCY_STAFF, agencyCode: "MOJ" }, loadSecrets());
  expect((await close(mojStaff, "ACA")).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  expect((await close(mojStaff, "MOJ")).errors?.[0].extensions?.code).toBe("CONFLICT");
  const acaStaff = await issueDevToken({ sub: "aca-staff", role: Role.AGENCY_STAFF, agencyCode: "ACA" }, loadSecrets());
  expect((await close(acaStaff, "ACA")).data!.closeDatasetRequest.request).toEqual({ state: "CLOSED", replyType: "PLANNED", reply: "預計明年第一季開放。" });
  // Each shard's events of the request name it, as a live page lists them.
  const events = async (agencyCode: string) =>
    (await sqlOn<{ type: string; title: string }>(agencyCode, "select type, payload->>'title' as title from outbox_event where subject_id = $1 order by seq", [id])).map(
      (event) => `${event.type}: ${event.title}`,
    );
  expect(await events("MOJ")).toEqual(["DatasetRequestReceived: 各監所醫療資源", "DatasetRequestReassigned: 各監所醫療資源", "DatasetRequestTransferred: 各監所醫療資源"]);
  expect(await events("ACA")).toEqual(["DatasetRequestAssigned: 各監所醫療資源", "DatasetRequestClosed: 各監所醫療資源"]);
}, 60_000);

test("a request reassigned back to an agency that held it reopens there, however often it bounces, and a move delivered twice arrives once", async () => {
  const id = await submitAndReassign("收容人假釋核准率");
  await until(async () => (await rows("MOJ", id))[0].state === "TRANSFERRED", "the move to ACA");
  await reassign(id, "ACA", "MOJ", "假釋審查資料由法務部提供");
  await until(async () => (await rows("ACA", id))[0].state === "TRANSFERRED", "the move back to MOJ");
  const read = (agencyCode: string) =>
    query<{ datasetRequest: { state: string; transferredTo: string | null; transferReason: string; assignedAgencies: string[] } }>(
      `{ datasetRequest(agencyCode: "${agencyCode}", id: "${id}") { state transferredTo transferReason assignedAgencies } }`,
      {},
    );
  expect((await read("MOJ")).data!.datasetRequest).toEqual({ state: "OPEN", transferredTo: null, transferReason: "假釋審查資料由法務部提供", assignedAgencies: ["MOJ", "ACA", "MOJ"] });
  expect((await read("ACA")).data!.datasetRequest).toMatchObject({ state: "TRANSFERRED", transferredTo: "MOJ" });

  // The relay delivers the move back once more (its answer was lost), now and after the request left MOJ again: nothing changes.
  const moveBack = { agencyCode: "MOJ", id, fromAgencyCode: "ACA", email: "hsu@example.org", title: "收容人假釋核准率", body: "b", receivedAt: new Date().toISOString(), assignedAgencies: ["MOJ", "ACA"] };
  expect((await acceptAsRelay(moj.url, moveBack)).errors).toBeUndefined();
  expect(await rows("MOJ", id)).toEqual([{ state: "OPEN", assigned_agencies: ["MOJ", "ACA", "MOJ"] }]);
  await reassign(id, "MOJ", "ACA", "收容資料由矯正署提供");
  await until(async () => (await rows("MOJ", id))[0].state === "TRANSFERRED", "the second move to ACA");
  expect((await acceptAsRelay(moj.url, moveBack)).errors).toBeUndefined();
  expect(await rows("MOJ", id)).toEqual([{ state: "TRANSFERRED", assigned_agencies: ["MOJ", "ACA", "MOJ"] }]);
  expect(await rows("ACA", id)).toEqual([{ state: "OPEN", assigned_agencies: ["MOJ", "ACA", "MOJ", "ACA"] }]);

  const acaStaff = await issueDevToken({ sub: "aca-staff", role: Role.AGENCY_STAFF, agencyCode: "ACA" }, loadSecrets());
  const closed = await query<{ closeDatasetRequest: { request: { state: string } } }>(
    "mutation($input: CloseDatasetRequestInput!) { closeDatasetRequest(input: $input) { request { state } } }",
    { input: { agencyCode: "ACA", requestId: id, replyType: "PLANNED", reply: "預計明年第一季開放。" } },
    acaStaff,
  );
  expect(closed.data!.closeDatasetRequest.request).toEqual({ state: "CLOSED" });
  const events = async (agencyCode: string) => (await sqlOn<{ type: string }>(agencyCode, "select type from outbox_event where subject_id = $1 order by seq", [id])).map((event) => event.type);
  expect(await events("MOJ")).toEqual(["DatasetRequestReceived", "DatasetRequestReassigned", "DatasetRequestTransferred", "DatasetRequestAssigned", "DatasetRequestReassigned", "DatasetRequestTransferred"]);
  expect(await events("ACA")).toEqual(["DatasetRequestAssigned", "DatasetRequestReassigned", "DatasetRequestTransferred", "DatasetRequestAssigned", "DatasetRequestClosed"]);
}, 60_000);

test("an agency's dataset requests are listed newest first, page by page: those it holds, or those of one state", async () => {
  const submitted = await query<{ submitDatasetRequest: { request: { id: string } } }>(
    "mutation($input: SubmitDatasetRequestInput!) { submitDatasetRequest(input: $input) { request { id } } }",
    { input: { agencyCode: "MOJ", email: "lin@example.org", title: "各地檢署案件終結數", body: "希望按月開放。" } },
  );
  expect(submitted.errors).toBeUndefined();
  type Page = { totalCount: number; edges: { node: { id: string; state: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  const walk = async (agencyCode: string, state: string | null, token?: string) => {
    const ids: string[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    do {
      const response: { data?: { agencyDatasetRequests: Page }; errors?: unknown[] } = await query<{ agencyDatasetRequests: Page }>(
        "query($agencyCode: ID!, $state: RequestState, $after: String) { agencyDatasetRequests(agencyCode: $agencyCode, state: $state, first: 2, after: $after) { totalCount edges { node { id state } } pageInfo { hasNextPage endCursor } } }",
        { agencyCode, state, after },
        token,
      );
      expect(response.errors).toBeUndefined();
      const page = response.data!.agencyDatasetRequests;
      ids.push(...page.edges.map((edge) => edge.node.id));
      totals.add(page.totalCount);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return { ids, totals: [...totals] };
  };
  const expected = async (agencyCode: string, where: string) =>
    (await sqlOn<{ id: string }>(agencyCode, `select id from dataset_request where ${where} order by received_at desc, id desc`, [])).map((row) => row.id);

  // MOJ moved every earlier request away: it holds the new one only, and lists the others by their state.
  expect(await walk("MOJ", null)).toEqual({ ids: [submitted.data!.submitDatasetRequest.request.id], totals: [1] });
  const movedAway = await expected("MOJ", "state = 'TRANSFERRED'");
  expect(movedAway.length).toBeGreaterThan(2);
  expect(await walk("MOJ", "TRANSFERRED")).toEqual({ ids: movedAway, totals: [movedAway.length] });
  const acaStaff = await issueDevToken({ sub: "aca-staff", role: Role.AGENCY_STAFF, agencyCode: "ACA" }, loadSecrets());
  const held = await expected("ACA", "state <> 'TRANSFERRED'");
  expect(held.length).toBeGreaterThan(2);
  expect(await walk("ACA", null, acaStaff)).toEqual({ ids: held, totals: [held.length] });

  const tooMany = await query(`{ agencyDatasetRequests(agencyCode: "ACA", first: 500) { totalCount } }`, {});
  expect(tooMany.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "first", reason: "must be between 0 and 100" }] });
}, 60_000);
