/**
 * Attacks of issue 12 (and issue 13's lost answers) against a started
 * platform: event visibility per role, live and replayed; guarded fields as
 * PUBLIC inside a mutation payload and a list; control characters; racing
 * writers; URL schemes; a subgraph's own body limit; subscriptions per client.
 */
import "./small-subscription-limit";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { Role } from "../../contract/claims";
import { config } from "../../contract/config";
import { encodeGatewayCursor } from "../../gateway/shard-router/connection";
import { startTestTopology, type TestTopology } from "../topology";

let topology: TestTopology;
let staff: string;

beforeAll(async () => {
  topology = await startTestTopology(["ACA"]);
  staff = await topology.token(Role.AGENCY_STAFF, "ACA");
}, 120_000);

afterAll(async () => {
  await topology?.stop();
});

let serial = 0;
const datasetInput = (extra: Record<string, unknown> = {}) => {
  serial += 1;
  return {
    agencyCode: "ACA",
    identifier: `ACA-SEC-${serial}`,
    title: `安全測試 ${serial}`,
    description: "安全測試",
    category: "公共資訊",
    accrualPeriodicity: "每1月",
    resources: [{ description: "檔案", format: "CSV", downloadUrl: "https://example.gov.tw/a.csv" }],
    ...extra,
  };
};
const REGISTER = "mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id identifier } } }";

async function datasetCount(): Promise<number> {
  const [row] = await topology.sql<{ count: string }>("catalogue:ACA", "select count(*) from dataset");
  return Number(row.count);
}

function subscribeAll(token: string | undefined, after: string) {
  const client = createClient({
    url: topology.gateway.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  const events: { type: string; subjectId: string }[] = [];
  const errors: { message: string; extensions?: Record<string, unknown> }[] = [];
  client.subscribe<{ catalogueEvents: { type: string; subjectId: string } }>(
    { query: "subscription($after: String) { catalogueEvents(after: $after) { type subjectId } }", variables: { after } },
    {
      next: (result) => {
        if (result.data) events.push(result.data.catalogueEvents);
        errors.push(...((result.errors ?? []) as typeof errors));
      },
      error: (error) => errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }])),
      complete: () => undefined,
    },
  );
  return { events, errors, close: () => client.dispose() };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 25));
  }
}

describe("catalogue events: each role receives, in a replay from position 0, only the kinds it may see", () => {
  let itemId: string;
  let marker: string;

  beforeAll(async () => {
    const added = await topology.query<{ addInventoryItem: { item: { id: string } } }>(
      "mutation($input: AddInventoryItemInput!) { addInventoryItem(input: $input) { item { id } } }",
      { input: { agencyCode: "ACA", title: "偵查中案件資料", description: "限閱" } },
      staff,
    );
    itemId = added.data!.addInventoryItem.item.id;
    await topology.query(
      "mutation($input: DecideOpennessInput!) { decideOpenness(input: $input) { item { id } } }",
      { input: { agencyCode: "ACA", itemId, openness: "NOT_OPENABLE", legalBasis: "刑事訴訟法第245條" } },
      staff,
    );
    // The last event written: once a subscriber has it, it has had every earlier event it may see.
    marker = (await topology.query<{ registerDataset: { dataset: { id: string } } }>(REGISTER, { input: datasetInput() }, staff)).data!.registerDataset.dataset.id;
  });

  const roles: [string, Role | null, string | undefined, boolean][] = [
    ["PUBLIC", null, undefined, false],
    ["the agency's staff", Role.AGENCY_STAFF, "ACA", true],
    ["the agency's CIO", Role.AGENCY_CIO, "ACA", true],
    ["the ministry", Role.MINISTRY_ADMIN, undefined, true],
    ["a panel member", Role.PANEL_MEMBER, undefined, true],
  ];
  it.each(roles)("%s", async (_name, role, agencyCode, seesInventory) => {
    const token = role ? await topology.token(role, agencyCode) : undefined;
    const stream = subscribeAll(token, encodeGatewayCursor({ ACA: "0" }));
    try {
      await until(() => stream.events.some((event) => event.subjectId === marker) || stream.errors.length > 0, "the marker event");
      expect(stream.errors).toEqual([]);
      const aboutItem = stream.events.filter((event) => event.subjectId === itemId).map((event) => event.type);
      expect(aboutItem).toEqual(seesInventory ? ["InventoryItemAdded", "OpennessDecided"] : []);
      expect(stream.events.find((event) => event.subjectId === marker)?.type).toBe("DatasetPublished");
    } finally {
      await stream.close();
    }
  });
});

describe("a refused field nulls only itself", () => {
  it("a citizen's submitFeedback answers the comment's id, with the workflow history and contact refused or hidden", async () => {
    const response = await topology.query<{ submitFeedback: { feedback: { id: string; email: string | null; transitions: unknown; replies: unknown[] } } }>(
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id email transitions { action } replies { body } } } }`,
      { input: { agencyCode: "ACA", email: "me@example.org", commentType: "資料內容有誤", title: "欄位錯誤", body: "第3欄數值有誤。" } },
    );
    expect(response.data?.submitFeedback.feedback).toEqual({ id: expect.any(String), email: null, transitions: null, replies: [] });
    expect(response.errors).toEqual([
      expect.objectContaining({ path: ["submitFeedback", "feedback", "transitions"], extensions: expect.objectContaining({ code: "FORBIDDEN" }) }),
    ]);
  });

  it("in a list, every agency's public fields stand beside its refused inventory, and admin-only lists are null", async () => {
    const response = await topology.query<{ agencies: { code: string; inventory: unknown }[]; shards: unknown }>(
      "{ agencies { code inventory { totalCount } } shards { url } }",
    );
    const agencies = response.data!.agencies;
    const aca = agencies.findIndex((agency) => agency.code === "ACA");
    expect(agencies[aca]).toEqual({ code: "ACA", inventory: null });
    expect(response.data?.shards).toBeNull();
    // Agencies without a shard in this topology answer NOT_FOUND beside; ACA's and the registry's refusals are FORBIDDEN.
    expect(response.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: ["agencies", "inventory"], extensions: expect.objectContaining({ code: "FORBIDDEN", agencyCode: "ACA" }) }),
        expect.objectContaining({ path: ["shards"], extensions: expect.objectContaining({ code: "FORBIDDEN" }) }),
      ]),
    );
  });
});

describe("inputs", () => {
  it("a NUL byte in stored text is BAD_USER_INPUT at its path, and nothing is written", async () => {
    const before = await datasetCount();
    const response = await topology.query(REGISTER, { input: datasetInput({ title: "a\u0000b" }) }, staff);
    expect(response.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [expect.objectContaining({ path: "input.title" })] });
    expect(await datasetCount()).toBe(before);
  });

  it("a control character in a query argument is BAD_USER_INPUT, not a database error", async () => {
    const response = await topology.query('{ datasetsByIdentifier(identifiers: ["ACA-\\u0000"]) { identifier } }');
    expect(response.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [expect.objectContaining({ path: "identifiers.0" })] });
  });

  it.each([
    ["landingPage", { landingPage: "javascript:alert(1)" }, "input.landingPage"],
    ["downloadUrl", { resources: [{ description: "檔案", format: "CSV", downloadUrl: "file:///etc/passwd" }] }, "input.resources.0.downloadUrl"],
  ])("a %s that is not http or https is refused", async (_name, extra, path) => {
    const response = await topology.query(REGISTER, { input: datasetInput(extra) }, staff);
    expect(response.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: expect.arrayContaining([expect.objectContaining({ path })]) });
  });

  it("concurrent registrations of one identifier: one succeeds, the others are CONFLICT, none an internal error", async () => {
    const input = datasetInput();
    const answers = await Promise.all(Array.from({ length: 6 }, () => topology.query(REGISTER, { input }, staff)));
    const codes = answers.map((answer) => (answer.errors ? String(answer.errors[0].extensions?.code) : "OK")).sort();
    expect(codes).toEqual(["CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT", "CONFLICT", "OK"]);
    const [row] = await topology.sql<{ count: string }>("catalogue:ACA", "select count(*) from dataset where identifier = $1", [input.identifier]);
    expect(Number(row.count)).toBe(1);
  });
});

test("a subgraph refuses a body over the limit with a GraphQL error, never an HTML page with a stack", async () => {
  const response = await fetch(topology.instances.get("catalogue:ACA")!.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }", variables: { filler: "x".repeat(config.maxBodyBytes + 1000) } }),
  });
  expect(response.status).toBe(413);
  const text = await response.text();
  expect(JSON.parse(text).errors[0].extensions.code).toBe("BAD_USER_INPUT");
  expect(text).not.toMatch(/<html|node_modules|\/work\//i);
});

test("one client may keep a few subscriptions open; the next is refused until one closes", async () => {
  const head = encodeGatewayCursor({ ACA: "0" });
  const open = [subscribeAll(undefined, head), subscribeAll(undefined, head), subscribeAll(undefined, head)];
  try {
    await until(() => open.every((stream) => stream.events.length > 0), "three subscriptions running");
    const refused = subscribeAll(undefined, head);
    await until(() => refused.errors.length > 0, "the refusal");
    expect(refused.errors[0]).toMatchObject({ extensions: { code: "OPERATION_LIMIT", limit: "subscriptionsPerClient", maximum: 3 } });
    await refused.close();
    await open.pop()!.close();
    const again = subscribeAll(undefined, head);
    await until(() => again.events.length > 0 || again.errors.length > 0, "a subscription after one closed", 30_000);
    expect(again.errors).toEqual([]);
    open.push(again);
  } finally {
    await Promise.all(open.map((stream) => stream.close()));
  }
});
