/**
 * The walking skeleton end to end: PostgreSQL, the catalogue and feedback
 * shards of two agencies, the ministry subgraphs and the gateway, all real.
 */
import { CLAIMS_HEADER, signClaims, Role } from "../contract/claims";
import { startTestTopology, type TestTopology } from "./topology";

let topology: TestTopology;

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"]);
});

afterAll(async () => {
  await topology?.stop();
});

interface AgencyRow {
  code: string;
  name: string;
  oid: string;
  datasets: { totalCount: number; edges: { node: { agencyCode: string; identifier: string } }[] };
  feedbackStats: { received: number; overdue: number };
  panelRepresentatives: { agencyCode: string }[];
  targets: { indicator: string }[];
}

async function countRows(instance: string, table: string): Promise<number> {
  const [row] = await topology.sql<{ count: string }>(instance, `select count(*) from ${table}`);
  return Number(row.count);
}

test("one query answers each agency's own rows from its own shards and the ministry subgraphs", async () => {
  const response = await topology.query<{ agencies: AgencyRow[] }>(`{
    agencies(codes: ["MOJ", "ACA"]) {
      code name oid
      datasets(first: 2) { totalCount edges { node { agencyCode identifier } } }
      feedbackStats { received overdue }
      panelRepresentatives { agencyCode }
      targets(year: 2018) { indicator }
    }
  }`);
  expect(response.errors).toBeUndefined();
  const agencies = response.data!.agencies;
  expect(agencies.map((a) => [a.code, a.name, a.oid])).toEqual([
    ["MOJ", "法務部", "2.16.886.101.20003.20006"],
    ["ACA", "法務部矯正署", "2.16.886.101.20003.20006.20137"],
  ]);
  for (const agency of agencies) {
    const instance = `catalogue:${agency.code}`;
    const [published] = await topology.sql<{ count: string }>(instance, "select count(*) from dataset where lifecycle_state = 'PUBLISHED'");
    expect(agency.datasets.totalCount).toBe(Number(published.count));
    expect(agency.datasets.edges).toHaveLength(2);
    expect(agency.datasets.edges.every((edge) => edge.node.agencyCode === agency.code && edge.node.identifier.startsWith(`${agency.code}-`))).toBe(true);
    expect(agency.feedbackStats.received).toBe(await countRows(`feedback:${agency.code}`, "feedback"));
    expect(agency.panelRepresentatives.every((member) => member.agencyCode === agency.code)).toBe(true);
  }
  expect(agencies[0].datasets.totalCount).not.toBe(agencies[1].datasets.totalCount);
  expect(agencies[0].targets.length).toBeGreaterThan(0);
});

test("a mutation routed to ACA is written to ACA's database only", async () => {
  const token = await topology.token(Role.AGENCY_STAFF, "ACA");
  const before = { aca: await countRows("catalogue:ACA", "dataset"), moj: await countRows("catalogue:MOJ", "dataset") };
  const response = await topology.query<{ registerDataset: { dataset: { id: string; agencyCode: string; resources: { resourceId: string }[] } } }>(
    `mutation Register($input: RegisterDatasetInput!) {
      registerDataset(input: $input) { dataset { id agencyCode resources { resourceId } } }
    }`,
    {
      input: {
        agencyCode: "ACA",
        identifier: "ACA-E2E-000001",
        title: "矯正機關收容人數按月別",
        description: "各矯正機關每月底收容人數。",
        category: "公共資訊",
        accrualPeriodicity: "每1月",
        resources: [{ description: "收容人數", format: "CSV", downloadUrl: "https://example.gov.tw/aca.csv" }],
      },
    },
    token,
  );
  expect(response.errors).toBeUndefined();
  const dataset = response.data!.registerDataset.dataset;
  expect(dataset.agencyCode).toBe("ACA");
  expect(dataset.resources).toEqual([{ resourceId: "ACA-E2E-000001-001" }]);
  expect(await countRows("catalogue:ACA", "dataset")).toBe(before.aca + 1);
  expect(await countRows("catalogue:MOJ", "dataset")).toBe(before.moj);
  const [event] = await topology.sql<{ type: string; subject_id: string }>("catalogue:ACA", "select type, subject_id from outbox_event order by seq desc limit 1");
  expect(event).toEqual({ type: "DatasetPublished", subject_id: dataset.id });
});

test("an explicit null in a nullable input is none, as if left out", async () => {
  const token = await topology.token(Role.AGENCY_STAFF, "ACA");
  const response = await topology.query<{ registerDataset: { dataset: { keywords: string[]; license: string; resources: { fields: unknown[]; size: string | null }[] } } }>(
    `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { keywords license resources { fields { name } size } } } }`,
    {
      input: {
        agencyCode: "ACA",
        identifier: "ACA-E2E-NULLS",
        title: "收容人數",
        description: "各矯正機關每月底收容人數。",
        category: "公共資訊",
        accrualPeriodicity: "每1月",
        keywords: null,
        license: null,
        issued: null,
        modified: null,
        notes: null,
        resources: [{ description: "收容人數", format: "PDF", downloadUrl: "https://example.gov.tw/aca.pdf", fields: null, size: null, modified: null }],
      },
    },
    token,
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.registerDataset.dataset).toEqual({ keywords: [], license: "政府資料開放授權條款-第1版", resources: [{ fields: [], size: null }] });
});

test("staff cannot write another agency's shard, and bad input writes nothing", async () => {
  const token = await topology.token(Role.AGENCY_STAFF, "MOJ");
  const before = await countRows("catalogue:ACA", "dataset");
  const forbidden = await topology.query(
    `mutation { registerDataset(input: { agencyCode: "ACA", identifier: "ACA-X", title: "t", description: "d", category: "公共資訊", accrualPeriodicity: "每1年" }) { dataset { id } } }`,
    undefined,
    token,
  );
  expect(forbidden.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  const invalid = await topology.query(
    `mutation { registerDataset(input: { agencyCode: "MOJ", identifier: "MOJ-X", title: "　 ", description: "d", category: "no such category", accrualPeriodicity: "weekly" }) { dataset { id } } }`,
    undefined,
    token,
  );
  expect(invalid.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  // A title of spaces (a full-width one among them) is as empty as none.
  expect(invalid.errors?.[0].extensions?.fields).toContainEqual({ path: "input.title", reason: "must not be empty or only spaces" });
  expect((invalid.errors?.[0].extensions?.fields as { path: string }[]).map((f) => f.path).sort()).toEqual([
    "input.accrualPeriodicity",
    "input.category",
    "input.title",
  ]);
  expect(await countRows("catalogue:ACA", "dataset")).toBe(before);
  expect(await countRows("catalogue:MOJ", "dataset WHERE identifier = 'MOJ-X'")).toBe(0);
});

test("a bad argument to a fanned-out field is one error naming every shard that refused it, not one per shard", async () => {
  const response = await topology.query(`{ datasets(first: 101) { totalCount } }`);
  expect(response.data).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]).toMatchObject({
    message: "Invalid input. first: must be between 0 and 100",
    path: ["datasets"],
    extensions: { code: "BAD_USER_INPUT", agencyCodes: ["MOJ", "ACA"], fields: [{ path: "first", reason: "must be between 0 and 100" }] },
  });

  // A value each shard refuses before running anything: a day not of the calendar.
  const notADay = await topology.query(`{ catalogueSummary(asOf: "2018-02-30") { published } }`);
  expect(notADay.errors).toHaveLength(1);
  expect(notADay.errors![0]).toMatchObject({
    message: expect.stringContaining("2018-02-30 is not a day of the calendar"),
    path: ["catalogueSummary"],
    extensions: { code: "BAD_USER_INPUT", agencyCodes: ["MOJ", "ACA"] },
  });
});

test("a variable's value the schema cannot take is bad input naming the variable, as the same value written in the query is", async () => {
  const wrongType = await topology.query(`query($first: Int) { datasets(agencyCodes: ["MOJ"], first: $first) { totalCount } }`, { first: "ten" });
  const wrongEnum = await topology.query(`query($order: DatasetOrder) { datasets(agencyCodes: ["MOJ"], first: 1, orderBy: $order) { totalCount } }`, { order: "NEWEST" });
  const missing = await topology.query(`query($agencyCode: ID!, $id: ID!) { dataset(agencyCode: $agencyCode, id: $id) { title } }`, { agencyCode: "MOJ" });
  for (const [response, variable] of [
    [wrongType, "$first"],
    [wrongEnum, "$order"],
    [missing, "$id"],
  ] as const) {
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(`Variable "${variable}"`), extensions: { code: "BAD_USER_INPUT" } })]);
  }
});

test("a fanned-out field asked of no agency, or only of agencies without a shard, says so instead of answering nothing", async () => {
  const none = await topology.query(`{ feedbackStats(agencyCodes: []) { received } }`);
  expect(none.errors).toEqual([
    expect.objectContaining({
      path: ["feedbackStats"],
      extensions: expect.objectContaining({ code: "BAD_USER_INPUT", fields: [{ path: "agencyCodes", reason: "names no agency: name one at least, or leave agencyCodes out for every agency" }] }),
    }),
  ]);
  const noPage = await topology.query(`{ datasets(agencyCodes: [], first: 5) { totalCount } }`);
  expect(noPage.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  // Nothing was answered, so nothing was answered "without it".
  const unknown = await topology.query(`{ catalogueSummary(agencyCodes: ["XYZ"]) { published } }`);
  expect(unknown.errors).toEqual([expect.objectContaining({ message: 'No shard is registered for agency "XYZ".', path: ["catalogueSummary"], extensions: expect.objectContaining({ code: "NOT_FOUND" }) })]);
  const beside = await topology.query<{ catalogueSummary: { published: number } }>(`{ catalogueSummary(agencyCodes: ["XYZ", "MOJ"]) { published } }`);
  expect(beside.data?.catalogueSummary.published).toBeGreaterThan(0);
  expect(beside.errors).toEqual([expect.objectContaining({ message: 'No shard is registered for agency "XYZ"; answered without it.' })]);
});

test("a malformed id is bad input naming its argument, in every subgraph, and an id asked beside it still answers", async () => {
  const { data: listed } = await topology.query<{ datasets: { edges: { node: { id: string; title: string } }[] } }>(`{ datasets(agencyCodes: ["MOJ"], first: 1) { edges { node { id title } } } }`);
  const dataset = listed!.datasets.edges[0].node;
  const admin = await topology.token(Role.MINISTRY_ADMIN);
  // A dataset's identifier where its id belongs, in the same call to MOJ's shard as a well-formed id.
  const response = await topology.query<Record<string, { title?: string } | null>>(
    `query($id: ID!) {
      asked: dataset(agencyCode: "MOJ", id: $id) { title }
      byIdentifier: dataset(agencyCode: "MOJ", id: "A03000000B-000001") { title }
      comment: feedback(agencyCode: "MOJ", id: "1") { title }
      meeting: panelMeeting(id: "next") { heldOn }
    }`,
    { id: dataset.id },
    admin,
  );
  expect(response.data).toEqual({ asked: { title: dataset.title }, byIdentifier: null, comment: null, meeting: null });
  const refusals = Object.fromEntries(response.errors!.map((error) => [error.path![0], [error.extensions?.code, error.extensions?.fields]]));
  expect(refusals).toEqual({
    byIdentifier: ["BAD_USER_INPUT", [{ path: "id", reason: "must be a dataset id" }]],
    comment: ["BAD_USER_INPUT", [{ path: "id", reason: "must be a feedback id" }]],
    meeting: ["BAD_USER_INPUT", [{ path: "id", reason: "must be a meeting id" }]],
  });

  const attendance = await topology.query(`mutation { recordAttendance(input: { meetingId: "x", memberIds: ["y"] }) { meeting { id } } }`, undefined, admin);
  expect(attendance.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    fields: [
      { path: "input.meetingId", reason: "must be a meeting id" },
      { path: "input.memberIds", reason: "each must be a panel member id" },
    ],
  });
});

test("a subgraph refuses a request the gateway did not sign", async () => {
  const url = topology.instances.get("catalogue:MOJ")!.url;
  const body = JSON.stringify({ query: "{ catalogueSummary { datasets } }" });
  const unsigned = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  expect(unsigned.status).toBe(401);
  expect((await unsigned.json()).errors[0].extensions.code).toBe("UNAUTHENTICATED");

  const forged = await signClaims({ sub: "mallory", role: Role.MINISTRY_ADMIN }, "not-the-shared-secret", 60);
  const wrongSignature = await fetch(url, { method: "POST", headers: { "content-type": "application/json", [CLAIMS_HEADER]: forged }, body });
  expect(wrongSignature.status).toBe(401);

  const stale = await signClaims({ sub: "gateway", role: Role.MINISTRY_ADMIN }, process.env.GOVGRAPH_INTERNAL_SECRET!, -1);
  const expired = await fetch(url, { method: "POST", headers: { "content-type": "application/json", [CLAIMS_HEADER]: stale }, body });
  expect((await expired.json()).errors[0].message).toMatch(/expired/);
});

test("an entity batch mixing agencies comes back complete and in order", async () => {
  const token = await topology.token(Role.MINISTRY_ADMIN);
  const ids = async (code: string) =>
    (await topology.sql<{ id: string; identifier: string }>(`catalogue:${code}`, "select id, identifier from dataset where lifecycle_state = 'PUBLISHED' order by identifier limit 3"));
  const moj = await ids("MOJ");
  const aca = await ids("ACA");
  // A fanned-out list: each shard's part in routing-table order (MOJ before ACA), each part in the shard's order.
  const asked = [aca[2], moj[1], aca[0], moj[0], moj[2], aca[1]].map((row) => row.identifier);
  const response = await topology.query<{ datasetsByIdentifier: { identifier: string }[] }>(
    `query($ids: [String!]!) { datasetsByIdentifier(identifiers: $ids) { identifier } }`,
    { ids: asked },
    token,
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.datasetsByIdentifier.map((d) => d.identifier)).toEqual([...moj, ...aca].map((row) => row.identifier));

  // Feedback points at datasets; resolving them is one _entities batch, split by agencyCode and put back in order.
  const submit = async (agencyCode: string, datasetId: string) => {
    const result = await topology.query<{ submitFeedback: { feedback: { id: string } } }>(
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }`,
      { input: { agencyCode, datasetId, email: "citizen@example.org", commentType: "資料內容有誤", title: "欄位錯誤", body: "第3欄數值有誤。" } },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.submitFeedback.feedback.id;
  };
  const order: [string, { id: string; identifier: string }][] = [["MOJ", moj[0]], ["ACA", aca[0]], ["MOJ", moj[1]], ["ACA", aca[1]], ["MOJ", moj[0]]];
  const feedbackIds = [];
  for (const [code, dataset] of order) feedbackIds.push({ code, id: await submit(code, dataset.id) });
  const fields = feedbackIds.map((f, i) => `f${i}: feedback(agencyCode: "${f.code}", id: "${f.id}") { agencyCode dataset { agencyCode identifier } }`).join("\n");
  const entities = await topology.query<Record<string, { agencyCode: string; dataset: { agencyCode: string; identifier: string } }>>(`{ ${fields} }`, undefined, token);
  expect(entities.errors).toBeUndefined();
  order.forEach(([code, dataset], i) => {
    expect(entities.data![`f${i}`]).toEqual({ agencyCode: code, dataset: { agencyCode: code, identifier: dataset.identifier } });
  });
});

test("ministry-wide counts are the sums of every agency's shard", async () => {
  const token = await topology.token(Role.MINISTRY_ADMIN);
  const response = await topology.query<{ catalogueSummary: { datasets: number }; moj: { datasets: number }; aca: { datasets: number } }>(
    `{ catalogueSummary { datasets } moj: catalogueSummary(agencyCodes: ["MOJ"]) { datasets } aca: catalogueSummary(agencyCodes: ["ACA"]) { datasets } }`,
    undefined,
    token,
  );
  expect(response.errors).toBeUndefined();
  const { catalogueSummary, moj, aca } = response.data!;
  expect(moj.datasets).toBeGreaterThan(0);
  expect(aca.datasets).toBeGreaterThan(0);
  expect(catalogueSummary.datasets).toBe(moj.datasets + aca.datasets);
});

test("an entity of an agency without a shard is an error for that entity, not for the batch", async () => {
  const response = await topology.query<{ agencies: { code: string; datasets: { totalCount: number } | null }[] }>(
    "{ agencies { code datasets(first: 1) { totalCount } } }",
  );
  const agencies = response.data!.agencies;
  expect(agencies).toHaveLength(9);
  for (const agency of agencies) {
    if (agency.code === "MOJ" || agency.code === "ACA") expect(agency.datasets!.totalCount).toBeGreaterThan(0);
    else expect(agency.datasets).toBeNull();
  }
  const notFound = response.errors!.filter((e) => e.extensions?.code === "NOT_FOUND").map((e) => e.extensions?.agencyCode);
  expect(notFound.sort()).toEqual(["AAC", "AEA", "AJ", "IFM", "MJIB", "SPO", "THPO"]);
});

// Last: it stops ACA's catalogue shard.
test("a shard that is down costs its own part of the answer only", async () => {
  const token = await topology.token(Role.MINISTRY_ADMIN);
  const aca = topology.instances.get("catalogue:ACA")!;
  await aca.stop();
  const response = await topology.query<{ catalogueSummary: { datasets: number }; agencies: { code: string; datasets: { totalCount: number } | null }[] }>(
    `{ catalogueSummary { datasets } agencies(codes: ["MOJ", "ACA"]) { code datasets(first: 1) { totalCount } } }`,
    undefined,
    token,
  );
  const [mojCount] = await topology.sql<{ count: string }>("catalogue:MOJ", "select count(*) from dataset where lifecycle_state in ('PUBLISHED', 'RETIRED') and issued <= current_date");
  expect(response.data!.catalogueSummary.datasets).toBe(Number(mojCount.count));
  expect(response.data!.agencies.find((a) => a.code === "MOJ")!.datasets!.totalCount).toBeGreaterThan(0);
  expect(response.data!.agencies.find((a) => a.code === "ACA")!.datasets).toBeNull();
  const unavailable = response.errors!.filter((e) => e.extensions?.code === "SHARD_UNAVAILABLE");
  expect(unavailable.length).toBeGreaterThanOrEqual(2);
  expect(unavailable.every((e) => e.extensions?.agencyCode === "ACA" && e.extensions?.subgraph === "catalogue")).toBe(true);
  topology.instances.delete("catalogue:ACA");
});
