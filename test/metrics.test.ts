/**
 * The metrics projection over all nine agencies' shards, through the
 * gateway: the seed's published figures; an event applied twice counts
 * once; a dataset published and a reply approved reach a progressChanged
 * subscriber quickly and change ministryProgress; targets keep their history;
 * the evaluation report; and the projection agrees with every shard's own count.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { AGENCY_CODES } from "../contract/agencies";
import { Role } from "../contract/claims";
import { askGateway, metricsSystemClient } from "../subgraphs/metrics/gateway-client";
import { loggerFor } from "../contract/logger";
import { rebuildProjection, shardHead, ShardFollower } from "../subgraphs/metrics/follower";
import { reconcile } from "../subgraphs/metrics/reconcile";
import { applyEvents, readFigures } from "../subgraphs/metrics/store";
import { yearPeriod } from "../subgraphs/metrics/domain";
import { daysAfter, todayInTaipei } from "../subgraphs/kit/days";
import { startTestTopology, type TestTopology } from "./topology";
import { eventually } from "./eventually";

let topology: TestTopology;
let admin: string;

const metricsEm = () => topology.instances.get("metrics")!.orm.em.fork();
const drifts = () =>
  reconcile(metricsEm(), (query, variables) => askGateway(metricsSystemClient(process.env.GOVGRAPH_INTERNAL_SECRET!, 60, 30_000), topology.gateway.url, query, variables));

const progressQuery = `{ ministryProgress(asOf: "2018-03-16") { datasetsOnPlatform datasetsRetired year rocYear openedByYear { year rocYear count } } }`;

beforeAll(async () => {
  topology = await startTestTopology([...AGENCY_CODES], { projection: true });
  admin = await topology.token(Role.MINISTRY_ADMIN);
}, 240_000);

afterAll(async () => {
  await topology?.stop();
});

test("the seed's figures, projected from the shards' events, through the gateway", async () => {
  type Answer = { ministryProgress: { datasetsOnPlatform: number; openedByYear: { year: number; rocYear: number; count: number }[] } };
  const answer = await eventually(
    () => topology.query<Answer>(progressQuery),
    (response) => response.data?.ministryProgress.datasetsOnPlatform === 2041,
    120_000,
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.ministryProgress).toMatchObject({
    datasetsOnPlatform: 2041,
    datasetsRetired: 138,
    year: 2018,
    rocYear: 107,
    openedByYear: [
      { year: 2013, rocYear: 102, count: 50 },
      { year: 2014, rocYear: 103, count: 30 },
      { year: 2015, rocYear: 104, count: 1710 },
      { year: 2016, rocYear: 105, count: 252 },
      { year: 2017, rocYear: 106, count: 137 },
    ],
  });
}, 150_000);

test("progress history on a fresh start: the dataset counts' whole history, and today's snapshot taken once the projection has caught up", async () => {
  type Progress = { ministryProgress: { datasetsOnPlatform: number; overdueNow: number } };
  await eventually(() => topology.query<Progress>(progressQuery), (r) => r.data?.ministryProgress.datasetsOnPlatform === 2041, 120_000);
  type Series = { progressHistory: { day: string; value: number }[] };
  const series = async (args: string) => {
    const answer = await topology.query<Series>(`{ progressHistory(${args}) { day value } }`);
    expect(answer.errors).toBeUndefined();
    return answer.data!.progressHistory;
  };
  const upTo = (points: { day: string; value: number }[], day: string) => points.filter((point) => point.day <= day).at(-1);

  const onPlatform = await series(`figure: DATASETS_ON_PLATFORM, from: "2013-01-01"`);
  expect(onPlatform[0].day.startsWith("2013")).toBe(true);
  expect(upTo(onPlatform, "2018-03-16")).toMatchObject({ value: 2041 });
  expect(upTo(await series(`figure: DATASETS_RETIRED, from: "2013-01-01"`), "2018-03-16")).toMatchObject({ value: 138 });
  const moj = await topology.query<{ agency: { progress: { datasetsOnPlatform: number } } }>(`{ agency(code: "MOJ") { progress(asOf: "2018-03-16") { datasetsOnPlatform } } }`);
  const mojOnPlatform = moj.data!.agency.progress.datasetsOnPlatform;
  expect(upTo(await series(`figure: DATASETS_ON_PLATFORM, agencyCodes: ["MOJ"], from: "2013-01-01", to: "2018-03-16"`), "2018-03-16")).toMatchObject({ value: mojOnPlatform });
  expect(await series(`figure: DATASETS_ON_PLATFORM, from: "2013-01-01", to: "2025-12-31"`)).toEqual(onPlatform.filter((point) => point.day <= "2025-12-31"));

  // Today's overdue comments: the snapshot of the caught-up projection, never a 0 taken while it was still replaying.
  const { overdueNow } = (await topology.query<Progress>(`{ ministryProgress { datasetsOnPlatform overdueNow } }`)).data!.ministryProgress;
  expect(overdueNow).toBeGreaterThan(0);
  const overdue = await eventually(() => series(`figure: OVERDUE_NOW`), (points) => points.length > 0, 20_000);
  expect(overdue.map((point) => point.value)).toEqual([overdueNow]);
}, 150_000);

test("an event applied twice counts once", async () => {
  const shard = { subgraph: "catalogue", agencyCode: "TEST-TWICE" };
  const published = { ...shard, seq: "1", type: "DatasetPublished", subjectId: "d1", payload: { issued: "2019-05-05" } };
  const read = async () => (await readFigures(metricsEm(), [shard.agencyCode], "2019-12-31", yearPeriod(2019, "2019-12-31"))).byYear.get("opened")?.get(2019);

  await applyEvents(metricsEm(), shard, "0", [published, published]);
  expect(await read()).toBe(1);
  // Delivered again after a reconnect, from an older position: skipped by position.
  expect(await applyEvents(metricsEm(), shard, "0", [published])).toEqual({ kind: "applied", position: "1", cause: null });
  // The same fact under a new sequence number (a retried write): no change of the fact, no change of the figure.
  expect(await applyEvents(metricsEm(), shard, "1", [{ ...published, seq: "2" }])).toEqual({ kind: "applied", position: "2", cause: null });
  expect(await read()).toBe(1);
});

test("a dataset published and a reply approved reach a progressChanged subscriber and change ministryProgress", async () => {
  await eventually(() => topology.query<{ ministryProgress: { datasetsOnPlatform: number } }>(progressQuery), (r) => r.data?.ministryProgress.datasetsOnPlatform === 2041, 120_000);
  const today = `{ ministryProgress { datasetsOnPlatform repliedWithinDeadline commentsReceived } }`;
  type Today = { ministryProgress: { datasetsOnPlatform: number; repliedWithinDeadline: number; commentsReceived: number } };
  const before = (await topology.query<Today>(today)).data!.ministryProgress;

  const client: Client = createClient({ url: topology.gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
  const changes: { agencyCode: string; cause: string; receivedAt: number }[] = [];
  const subscription = client.iterate<{ progressChanged: { agencyCode: string; cause: string; at: string } }>({
    query: `subscription { progressChanged(agencyCodes: ["ACA"]) { agencyCode cause at } }`,
  });
  const collecting = (async () => {
    for await (const result of subscription) changes.push({ ...result.data!.progressChanged, receivedAt: Date.now() });
  })();
  await new Promise((resolveDelay) => setTimeout(resolveDelay, 500));
  try {
    const staff = await topology.token(Role.AGENCY_STAFF, "ACA");
    const sent = Date.now();
    const registered = await topology.query(
      `mutation($input: RegisterDatasetInput!) { registerDataset(input: $input) { dataset { id } } }`,
      { input: { agencyCode: "ACA", identifier: "ACA-LIVE-1", title: "即時資料集", description: "d", category: "公共資訊", accrualPeriodicity: "每1年", resources: [] } },
      staff,
    );
    expect(registered.errors).toBeUndefined();
    const published = await eventually(async () => changes.find((c) => c.cause === "DatasetPublished"), Boolean, 10_000);
    // The issue asks for one second; the bound is generous for a loaded machine, the measured figure is in the benchmark.
    expect(published).toMatchObject({ agencyCode: "ACA" });
    expect(published!.receivedAt - sent).toBeLessThan(5000);
    expect((await topology.query<Today>(today)).data!.ministryProgress.datasetsOnPlatform).toBe(before.datasetsOnPlatform + 1);

    const submitted = await topology.query<{ submitFeedback: { feedback: { id: string } } }>(
      `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }`,
      { input: { agencyCode: "ACA", email: "me@example.org", commentType: "資料內容有誤", title: "欄位錯誤", body: "第3欄數值有誤。" } },
    );
    const ref = { agencyCode: "ACA", feedbackId: submitted.data!.submitFeedback.feedback.id };
    for (const [mutation, input, token] of [
      ["draftReply(input: { agencyCode: $a, feedbackId: $f, body: \"已修正\" })", ref, staff],
      ["submitReplyForApproval(input: { agencyCode: $a, feedbackId: $f })", ref, staff],
      ["approveReply(input: { agencyCode: $a, feedbackId: $f })", ref, await topology.token(Role.AGENCY_CIO, "ACA")],
    ] as const) {
      const answer = await topology.query(`mutation($a: ID!, $f: ID!) { ${mutation} { feedback { id } } }`, { a: input.agencyCode, f: input.feedbackId }, token);
      expect(answer.errors).toBeUndefined();
    }
    const approved = await eventually(async () => changes.find((c) => c.cause === "ReplyApproved"), Boolean, 10_000);
    expect(approved).toMatchObject({ agencyCode: "ACA" });
    const after = (await topology.query<Today>(today)).data!.ministryProgress;
    expect(after.commentsReceived).toBe(before.commentsReceived + 1);
    expect(after.repliedWithinDeadline).toBe(before.repliedWithinDeadline + 1);
  } finally {
    await subscription.return?.();
    await client.dispose();
    await collecting.catch(() => undefined);
  }
}, 180_000);

test("a comment still within its 14 days is not counted late: the within-deadline share is over comments answered or due", async () => {
  type Comments = { agency: { progress: { commentsReceived: number; repliedWithinDeadline: number; repliedWithinDeadlineShare: number | null; figures: { indicator: string; actual: number }[] } } };
  const read = async () => (await topology.query<Comments>(`{ agency(code: "AJ") { progress { commentsReceived repliedWithinDeadline repliedWithinDeadlineShare figures { indicator actual } } } }`)).data!.agency.progress;
  await eventually(() => topology.query<{ ministryProgress: { datasetsOnPlatform: number } }>(progressQuery), (r) => r.data?.ministryProgress.datasetsOnPlatform === 2041, 120_000);
  await eventually(drifts, (found) => found.length === 0, 60_000);
  const before = await read();
  const submitted = await topology.query(
    `mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { feedback { id } } }`,
    { input: { agencyCode: "AJ", email: "new@example.org", commentType: "資料內容有誤", title: "剛送出", body: "尚未到期的意見。" } },
  );
  expect(submitted.errors).toBeUndefined();
  const after = await eventually(read, (progress) => progress.commentsReceived === before.commentsReceived + 1, 10_000);
  expect(after.repliedWithinDeadlineShare).toBe(before.repliedWithinDeadlineShare);
  const percent = (progress: typeof before) => progress.figures.find((figure) => figure.indicator === "REPLIES_WITHIN_DEADLINE_PERCENT")!.actual;
  expect(percent(after)).toBe(percent(before));
}, 150_000);

test("an agency code not in the directory is refused, naming it, not answered as an agency with nothing", async () => {
  const directory = "MOJ, MJIB, SPO, IFM, AEA, THPO, ACA, AAC, AJ";
  // One query each: all three fields are non-null, and GraphQL reports the first such field's error only.
  const queries = [
    `{ agencies(codes: ["moj"]) { code } }`,
    `{ progressHistory(figure: DATASETS_ON_PLATFORM, agencyCodes: ["MOJ", "XX", "YY"]) { day } }`,
    `{ datasetIndex(agencyCodes: ["A41000000G"], first: 1) { totalCount } }`,
  ];
  const errors = (await Promise.all(queries.map((query) => topology.query(query)))).flatMap((answer) => answer.errors ?? []);
  const refusals = Object.fromEntries(errors.map((error) => [error.path![0], [error.extensions?.code, error.extensions?.fields]]));
  expect(refusals).toEqual({
    agencies: ["BAD_USER_INPUT", [{ path: "codes", reason: `"moj" is not the code of an agency in the directory (${directory})` }]],
    progressHistory: ["BAD_USER_INPUT", [{ path: "agencyCodes", reason: `"XX", "YY" are not codes of agencies in the directory (${directory})` }]],
    datasetIndex: ["BAD_USER_INPUT", [{ path: "agencyCodes", reason: `"A41000000G" is not the code of an agency in the directory (${directory})` }]],
  });

  // An input's single code is refused in the same words.
  const admin = await topology.token(Role.MINISTRY_ADMIN);
  const target = await topology.query(`mutation { setTarget(input: { agencyCode: "moj", indicator: DATASETS_OPENED, year: 2017, value: 1 }) { target { id } } }`, undefined, admin);
  expect(target.errors?.[0].extensions?.fields).toEqual([{ path: "input.agencyCode", reason: `"moj" is not the code of an agency in the directory (${directory})` }]);

  const client: Client = createClient({ url: topology.gateway.url.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
  const refusal = await new Promise<unknown>((settle) =>
    client.subscribe(
      { query: `subscription { progressChanged(agencyCodes: ["moj"]) { agencyCode } }` },
      { next: (result) => settle(result.errors), error: settle, complete: () => settle("completed") },
    ),
  );
  await client.dispose();
  expect(refusal).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", fields: [{ path: "agencyCodes", reason: expect.stringContaining('"moj" is not the code') }] }) })]);
});

test("targets are set by MINISTRY_ADMIN only, with their history, and appear beside the figures", async () => {
  const set = `mutation($v: Float!) { setTarget(input: { agencyCode: "ACA", indicator: DATASETS_OPENED, year: 2017, value: $v }) { target { id value } } }`;
  const staff = await topology.token(Role.AGENCY_STAFF, "ACA");
  const refused = await topology.query(set, { v: 10 }, staff);
  expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  expect((await topology.query(set, { v: 10 }, admin)).errors).toBeUndefined();
  expect((await topology.query(set, { v: 20 }, admin)).errors).toBeUndefined();

  const read = `{ agency(code: "ACA") { targets(year: 2017) { value history { oldValue newValue changedBy } }
                  progress(asOf: "2017-12-31") { openedInYear figures { indicator strategy actual target gap } } } }`;
  type Read = { agency: { targets: { value: number; history: { oldValue: number | null; newValue: number; changedBy: string }[] | null }[]; progress: { openedInYear: number; figures: { indicator: string; actual: number; target: number | null; gap: number | null }[] } } };
  const asAdmin = await topology.query<Read>(read, {}, admin);
  expect(asAdmin.errors).toBeUndefined();
  const target = asAdmin.data!.agency.targets[0];
  expect(target.value).toBe(20);
  expect(target.history).toEqual([
    { oldValue: null, newValue: 10, changedBy: "test-ministry_admin" },
    { oldValue: 10, newValue: 20, changedBy: "test-ministry_admin" },
  ]);
  const opened = asAdmin.data!.agency.progress.figures.find((figure) => figure.indicator === "DATASETS_OPENED")!;
  expect(opened).toMatchObject({ actual: asAdmin.data!.agency.progress.openedInYear, target: 20, gap: asAdmin.data!.agency.progress.openedInYear - 20 });

  // Anyone else sees the targets, but not who changed them: that field alone is refused.
  const asStaff = await topology.query<Read>(read, {}, staff);
  expect(asStaff.data!.agency.targets[0]).toEqual({ value: 20, history: null });
  expect(asStaff.errors?.map((error) => error.extensions?.code)).toEqual(["FORBIDDEN"]);
});

test("a target that cannot apply is refused before anything is written, and the value it has already records nothing", async () => {
  const set = `mutation($input: SetTargetInput!) { setTarget(input: $input) { target { value } } }`;
  const history = `{ agency(code: "AJ") { targets { indicator year value history { oldValue newValue } } } }`;
  type Targets = { agency: { targets: { indicator: string; year: number; value: number; history: { oldValue: number | null; newValue: number }[] }[] } };
  const before = (await topology.query<Targets>(history, {}, admin)).data!.agency.targets;
  const refusals: [Record<string, unknown>, { path: string; reason: string }][] = [
    [{ indicator: "CIVIL_PANEL_MEMBERS", year: 2019, value: 5 }, { path: "input.indicator", reason: "is the ministry's own (the advisory panel's): set it for MOJ" }],
    [{ indicator: "DATASETS_OPENED", year: 2019, value: 1e300 }, { path: "input.value", reason: "counts things: at most 1000000" }],
    [{ indicator: "DATASETS_OPENED", year: 1900, value: 5 }, { path: "input.year", reason: "must be an AD year after 1911" }],
  ];
  for (const [input, field] of refusals) {
    const answer = await topology.query(set, { input: { agencyCode: "AJ", ...input } }, admin);
    expect([input, answer.errors?.[0].extensions]).toEqual([input, expect.objectContaining({ code: "BAD_USER_INPUT", fields: [field] })]);
  }
  expect((await topology.query<Targets>(history, {}, admin)).data!.agency.targets).toEqual(before);

  for (let i = 0; i < 2; i++) expect((await topology.query(set, { input: { agencyCode: "AJ", indicator: "DATASETS_OPENED", year: 2019, value: 5 } }, admin)).errors).toBeUndefined();
  const set2019 = (await topology.query<Targets>(history, {}, admin)).data!.agency.targets.filter((target) => target.year === 2019);
  expect(set2019).toEqual([{ indicator: "DATASETS_OPENED", year: 2019, value: 5, history: [{ oldValue: null, newValue: 5 }] }]);
});

test("the evaluation report has a row per strategy, agency and indicator with target, actual and gap", async () => {
  const answer = await topology.query<{ evaluationReport: { year: number; rocYear: number; rows: { strategy: string; agencyCode: string; indicator: string; target: number | null; actual: number; gap: number | null; remarks: string }[] } }>(
    `{ evaluationReport(year: 2017) { year rocYear rows { strategy agencyCode indicator target actual gap remarks } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const report = answer.data!.evaluationReport;
  expect(report).toMatchObject({ year: 2017, rocYear: 106 });
  const opened = report.rows.filter((row) => row.indicator === "DATASETS_OPENED");
  expect(opened).toHaveLength(AGENCY_CODES.length);
  expect(opened.reduce((sum, row) => sum + row.actual, 0)).toBe(137);
  expect(report.rows.find((row) => row.agencyCode === "ACA" && row.indicator === "DATASETS_OPENED")).toMatchObject({ target: 20 });
  expect(report.rows.find((row) => row.agencyCode === "AJ" && row.indicator === "DATASETS_OPENED")).toMatchObject({ target: null, gap: null, remarks: "未設定目標" });
  // An ROC year where an AD year belongs, in the report and in progress alike.
  for (const query of [`{ evaluationReport(year: 106) { year } }`, `{ ministryProgress(year: 106) { year } }`]) {
    expect((await topology.query(query)).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "year", reason: "must be an AD year after 1911" }] });
  }
});

test("a day or year figures cannot be read for is refused, naming the argument and what to enter", async () => {
  const today = todayInTaipei();
  const thisYear = Number(today.slice(0, 4));
  const refusals: [string, { path: string; reason: string }][] = [
    [`{ ministryProgress(asOf: "9999-12-31") { asOf } }`, { path: "asOf", reason: `is after today (${today} in Taipei): the figures of a day still to come are not known` }],
    [`{ agency(code: "AJ") { progress(asOf: "9999-12-31") { asOf } } }`, { path: "asOf", reason: `is after today (${today} in Taipei): the figures of a day still to come are not known` }],
    [`{ ministryProgress(asOf: "1900-01-01") { asOf } }`, { path: "asOf", reason: "is before 1912-01-01, ROC year 1, the first the platform records: enter the day in AD (YYYY-MM-DD)" }],
    [`{ ministryProgress(asOf: "2017-06-30", year: 2018) { asOf } }`, { path: "year", reason: "must be 2017 or earlier: on 2017-06-30 the year 2018 has not begun" }],
    [`{ evaluationReport(year: ${thisYear + 4}) { asOf } }`, { path: "year", reason: `must be ${thisYear} or earlier: on ${today} the year ${thisYear + 4} has not begun` }],
  ];
  for (const [query, field] of refusals) {
    const answer = await topology.query(query);
    expect([query, answer.errors?.[0].extensions]).toEqual([query, expect.objectContaining({ code: "BAD_USER_INPUT", fields: [field] })]);
  }
});

test("an evaluation row says the day its actual is as of: the period's end, or today for the figures that exist only now", async () => {
  const today = todayInTaipei();
  type Row = { agencyCode: string; indicator: string; actual: number; readOn: string };
  const answer = await topology.query<{ evaluationReport: { asOf: string; rows: Row[] } }>(`{ evaluationReport(year: 1912) { asOf rows { agencyCode indicator actual readOn } } }`);
  expect(answer.errors).toBeUndefined();
  const readOn = Object.fromEntries(answer.data!.evaluationReport.rows.filter((row) => row.agencyCode === "MOJ").map((row) => [row.indicator, row.readOn]));
  expect(readOn).toEqual({
    DATASETS_OPENED: "1912-12-31",
    DATASETS_ON_PLATFORM: "1912-12-31",
    INVENTORY_OPENED: today,
    REPLIES_WITHIN_DEADLINE_PERCENT: "1912-12-31",
    STRUCTURED_RESOURCES_PASSING_PERCENT: today,
    COMMENTS_OVERDUE: today,
    CIVIL_PANEL_MEMBERS: today,
    PANEL_MEETINGS: "1912-12-31",
  });
});

test("the evaluation of a meeting cycle counts from the day after the previous meeting to that meeting", async () => {
  type Row = { agencyCode: string; indicator: string; actual: number };
  const answer = await topology.query<{ meetingCycleReport: { from: string; asOf: string; meetingHeldOn: string; previousMeetingHeldOn: string | null; year: number; rocYear: number; rows: Row[] } }>(
    `{ meetingCycleReport(heldOn: "2018-03-19") { from asOf meetingHeldOn previousMeetingHeldOn year rocYear rows { agencyCode indicator actual } } }`,
  );
  expect(answer.errors).toBeUndefined();
  const report = answer.data!.meetingCycleReport;
  expect(report).toMatchObject({ from: "2017-03-29", asOf: "2018-03-19", meetingHeldOn: "2018-03-19", previousMeetingHeldOn: "2017-03-28", year: 2018, rocYear: 107 });
  // Openings in the cycle: every opening recorded up to the meeting, less those up to the previous one (read another way: by year).
  const openedUpTo = async (asOf: string) => {
    const progress = await topology.query<{ ministryProgress: { openedByYear: { count: number }[] } }>(`{ ministryProgress(asOf: "${asOf}") { openedByYear { count } } }`);
    return progress.data!.ministryProgress.openedByYear.reduce((sum, year) => sum + year.count, 0);
  };
  const openedInCycle = report.rows.filter((row) => row.indicator === "DATASETS_OPENED").reduce((sum, row) => sum + row.actual, 0);
  expect(openedInCycle).toBe((await openedUpTo("2018-03-19")) - (await openedUpTo("2017-03-28")));
  expect(openedInCycle).toBeGreaterThan(0);
  expect(report.rows.find((row) => row.agencyCode === "MOJ" && row.indicator === "PANEL_MEETINGS")?.actual).toBe(1);

  const noMeeting = await topology.query(`{ meetingCycleReport(heldOn: "2018-03-20") { from } }`);
  expect(noMeeting.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  expect(noMeeting.errors?.[0].message).toContain("2018-03-19");
});

test("a panel meeting counts as held on its day, not before: a meeting scheduled later is neither counted nor reported, and days are named once", async () => {
  const today = todayInTaipei();
  // Tomorrow: in this year's count but for the one rule (on 31 December, next year's: the count cannot tell then).
  const later = daysAfter(today, 1);
  const heldThisYear = async () => (await topology.query<{ ministryProgress: { panelMeetingsHeld: number } }>(`{ ministryProgress { panelMeetingsHeld } }`)).data!.ministryProgress.panelMeetingsHeld;
  const before = await heldThisYear();
  const schedule = `mutation($heldOn: Date!, $title: String!) { schedulePanelMeeting(input: { heldOn: $heldOn, title: $title }) { meeting { id } } }`;
  for (const [heldOn, title] of [[later, "下次會議"], ["2016-01-15", "臨時會議"], ["2016-01-15", "臨時會議（續）"]]) {
    expect((await topology.query(schedule, { heldOn, title }, admin)).errors).toBeUndefined();
  }
  // The panel's meetings are kept 30 s: once the extra meeting of 2016 is reported, the one scheduled later is known too.
  await eventually(() => topology.query(`{ meetingCycleReport(heldOn: "2016-01-15") { from } }`), (answer) => !answer.errors, 40_000);

  const future = await topology.query(`{ meetingCycleReport(heldOn: "${later}") { from rows { indicator } } }`);
  expect(future.data).toBeNull();
  expect(future.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "heldOn", reason: `is after today (${today} in Taipei): a cycle is reported once its meeting has been held` }] });
  expect(await heldThisYear()).toBe(before);
  const noMeeting = await topology.query(`{ meetingCycleReport(heldOn: "2016-01-16") { from } }`);
  expect(noMeeting.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  expect(noMeeting.errors?.[0].message).toBe("No panel meeting was held on 2016-01-16. Meetings were held on: 2015-06-22, 2016-01-15, 2016-03-29, 2017-03-28, 2018-03-19.");
}, 60_000);

test("a reversed range of days is refused alike by progressHistory and the advisory panel's meetings", async () => {
  for (const query of [
    `{ panelMeetings(from: "2019-01-01", to: "2018-01-01") { heldOn } }`,
    `{ progressHistory(figure: DATASETS_ON_PLATFORM, from: "2019-01-01", to: "2018-01-01") { day } }`,
  ]) {
    const answer = await topology.query(query);
    expect([query, answer.errors?.[0].extensions]).toEqual([query, expect.objectContaining({ code: "BAD_USER_INPUT", fields: [{ path: "to", reason: "must be on or after from (2019-01-01)" }] })]);
  }
});

test("reconcile finds no drift between the projection and every shard's own counts", async () => {
  const secret = process.env.GOVGRAPH_INTERNAL_SECRET!;
  const drifts = await eventually(
    () => reconcile(metricsEm(), (query, variables) => askGateway(metricsSystemClient(secret, 60, 30_000), topology.gateway.url, query, variables)),
    (found) => found.length === 0,
    60_000,
  );
  expect(drifts).toEqual([]);
}, 90_000);

test("a rebuild replays every shard's history into emptied figures, with daily snapshots, while metrics runs", async () => {
  const orm = topology.instances.get("metrics")!.orm;
  const system = metricsSystemClient(process.env.GOVGRAPH_INTERNAL_SECRET!);
  const { events } = await rebuildProjection({ orm, system, gatewayUrl: topology.gateway.url, log: loggerFor("metrics") });
  expect(events).toBeGreaterThan(2179 + 138);
  const answer = await topology.query<{ ministryProgress: { datasetsOnPlatform: number }; progressHistory: { day: string; value: number }[] }>(
    `{ ministryProgress(asOf: "2018-03-16") { datasetsOnPlatform } progressHistory(figure: DATASETS_ON_PLATFORM, from: "2013-01-01", to: "2018-03-16") { day value } }`,
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.ministryProgress.datasetsOnPlatform).toBe(2041);
  expect(answer.data!.progressHistory.at(-1)!.value).toBe(2041);
  expect(answer.data!.progressHistory[0].day.startsWith("2013")).toBe(true);
  const reversed = await topology.query(`{ progressHistory(figure: DATASETS_ON_PLATFORM, from: "2018-03-16", to: "2013-01-01") { day } }`);
  expect(reversed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "to", reason: "must be on or after from (2018-03-16)" }] });
  const secret = process.env.GOVGRAPH_INTERNAL_SECRET!;
  expect(await eventually(() => reconcile(metricsEm(), (query, variables) => askGateway(metricsSystemClient(secret, 60, 30_000), topology.gateway.url, query, variables)), (found) => found.length === 0, 60_000)).toEqual([]);
}, 120_000);

test("a shard that takes the stream's socket and never answers: its head is not known within the bound, and its follower stops at once", async () => {
  // Accepts every connection and never answers, not even the WebSocket handshake.
  const hung = createServer(() => undefined);
  await new Promise<void>((resolveListen) => hung.listen(0, "127.0.0.1", resolveListen));
  const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/graphql`;
  const system = metricsSystemClient(process.env.GOVGRAPH_INTERNAL_SECRET!, 60, 500);
  try {
    await expect(shardHead(url, "catalogue", system)).rejects.toThrow("no answer within 500 ms");
    const follower = new ShardFollower({ subgraph: "catalogue", agencyCode: "TEST-HUNG" }, url, { orm: topology.instances.get("metrics")!.orm, system, log: loggerFor("metrics") });
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
    const stopped = await Promise.race([follower.stop().then(() => "stopped"), new Promise((resolveLate) => setTimeout(() => resolveLate("still stopping after 5 s"), 5000))]);
    expect(stopped).toBe("stopped");
  } finally {
    hung.closeAllConnections();
    hung.close();
  }
});
