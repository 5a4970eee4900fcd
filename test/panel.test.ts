/**
 * The advisory panel through the gateway (issue 9): the seeded record, the
 * term lifecycle with its rules named, agenda items resolved from two
 * agencies' shards in one query, a consultation's resolution as the basis of
 * an inventory decision (both ways), and every role's read and write limits.
 */
import { Role } from "../contract/claims";
import { daysAfter, todayInTaipei } from "../subgraphs/kit/days";
import { startTestTopology, type GraphQLResponse, type TestTopology } from "./topology";

let topology: TestTopology;
const tokens = {} as Record<"admin" | "panel" | "acaStaff" | "acaCio", string>;
/** No token: an anonymous PUBLIC request. */
const PUBLIC = "";

beforeAll(async () => {
  topology = await startTestTopology(["MOJ", "ACA"]);
  tokens.admin = await topology.token(Role.MINISTRY_ADMIN);
  tokens.panel = await topology.token(Role.PANEL_MEMBER);
  tokens.acaStaff = await topology.token(Role.AGENCY_STAFF, "ACA");
  tokens.acaCio = await topology.token(Role.AGENCY_CIO, "ACA");
});

afterAll(async () => {
  await topology?.stop();
});

type Data = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const q = (query: string, variables?: Record<string, unknown>, token?: string) => topology.query<Data>(query, variables, token);
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

async function mutate(name: string, input: Record<string, unknown>, selection: string, token = tokens.admin): Promise<GraphQLResponse<Data>> {
  const type = `${name[0].toUpperCase()}${name.slice(1)}Input`;
  return q(`mutation($input: ${type}!) { ${name}(input: $input) { ${selection} } }`, { input }, token);
}

async function ok(response: Promise<GraphQLResponse<Data>>): Promise<Data> {
  const answer = await response;
  expect(answer.errors).toBeUndefined();
  return answer.data;
}

function appointTo(termId: string, role: string, extra: Record<string, unknown> = {}) {
  return mutate("appointPanelMember", { termId, name: "王大明", role, affiliation: "某機關", ...extra }, "member { id appointedOn }");
}

/** A convener, the seven agency seats and `civil` civil-society representatives. */
async function appointPanel(termId: string, civil: number) {
  await ok(appointTo(termId, "CONVENER"));
  for (const code of ["MOJ", "MJIB", "SPO", "THPO", "ACA", "AEA", "AAC"]) await ok(appointTo(termId, "AGENCY_REPRESENTATIVE", { agencyCode: code }));
  for (let i = 0; i < civil; i++) await ok(appointTo(termId, "CIVIL_SOCIETY_REPRESENTATIVE", { organisation: "開放文化基金會", expertise: "開放資料" }));
}

const count = async (instance: string, table: string) => Number((await topology.sql<{ n: string }>(instance, `select count(*) as n from ${table}`))[0].n);

test("the seeded panel: an active, valid term; four review meetings, the last reviewing all nine agencies with their live evidence; four strategy versions", async () => {
  const term = (await ok(q("{ currentPanelTerm { name status composition { conveners members agencyRepresentatives civilSocietyRepresentatives compliant violations { rule } } } }"))).currentPanelTerm;
  expect(term).toMatchObject({ status: "ACTIVE", composition: { conveners: 1, members: 11, agencyRepresentatives: 7, civilSocietyRepresentatives: 4, compliant: true, violations: [] } });

  const meetings = (await ok(q('{ panelMeetings(from: "2015-01-01", to: "2018-12-31") { heldOn title minutesPublished } }'))).panelMeetings;
  expect(meetings.map((m: { heldOn: string }) => m.heldOn)).toEqual(["2015-06-22", "2016-03-29", "2017-03-28", "2018-03-19"]);

  const versions = (await ok(q("{ strategyVersions { version approvedOn approvedAt { heldOn } targets { strategy } } }"))).strategyVersions;
  expect(versions.map((v: { approvedOn: string }) => v.approvedOn)).toEqual(["2015-06-22", "2016-03-29", "2017-03-28", "2018-03-19"]);
  expect(versions[3]).toMatchObject({ version: 4, approvedAt: { heldOn: "2018-03-19" } });

  const review = await q(
    `{ panelMeetings(from: "2018-03-19", to: "2018-03-19") {
        quorum { seated required present met }
        reviews { agencyCode outcome requests agency { code inventorySummary { total byState { state count } byBasis { basis planned published } } feedbackStats { received overdue } } }
        followUps { status resolution { ownerAgency { code } meeting { heldOn } } }
        reports { year sentOn evaluation { year } } } }`,
    undefined,
    tokens.panel,
  );
  const [meeting] = review.data.panelMeetings;
  expect(meeting.quorum).toEqual({ seated: 12, required: 7, present: 11, met: true });
  expect(meeting.reviews.map((r: { agencyCode: string }) => r.agencyCode).sort()).toEqual(["AAC", "ACA", "AEA", "AJ", "IFM", "MJIB", "MOJ", "SPO", "THPO"]);
  expect(meeting.followUps.length).toBeGreaterThan(0);
  for (const followUp of meeting.followUps) expect(followUp).toMatchObject({ status: "OVERDUE", resolution: { meeting: { heldOn: "2017-03-28" } } });
  expect(meeting.reports).toEqual([{ year: 2017, sentOn: "2018-04-02", evaluation: { year: 2017 } }]);
  // This topology runs two agencies' shards: their evidence comes live from them; the seven others' shards are not here.
  for (const code of ["MOJ", "ACA"]) {
    const { agency } = meeting.reviews.find((r: { agencyCode: string }) => r.agencyCode === code);
    const [inventory] = await topology.sql<{ n: string }>(`catalogue:${code}`, "select count(*) as n from inventory_item");
    expect(Number(inventory.n)).toBeGreaterThan(0);
    expect(agency.inventorySummary.total).toBe(Number(inventory.n));
    expect(agency.inventorySummary.byState).toHaveLength(3);
    expect(agency.feedbackStats.received).toBe(await count(`feedback:${code}`, "feedback"));
  }
});

test("a term is drafted incomplete; activating it with 3 civil-society members is refused naming the rules, and nothing changes", async () => {
  const term = (await ok(mutate("draftPanelTerm", { name: "第9屆", startsOn: "2031-06-01", endsOn: "2033-05-31" }, "term { id status }"))).draftPanelTerm.term;
  expect(term.status).toBe("DRAFT");
  const appoint = (role: string, extra: Record<string, unknown> = {}) => appointTo(term.id, role, extra);
  await appointPanel(term.id, 3);

  const missingOrganisation = await appoint("CIVIL_SOCIETY_REPRESENTATIVE");
  expect(missingOrganisation.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.organisation" }, { path: "input.expertise" }] });

  const events = await count("advisory", "outbox_event");
  const refused = await mutate("activatePanelTerm", { termId: term.id }, "term { status }");
  expect(refused.errors?.[0].extensions?.code).toBe("CONFLICT");
  expect(refused.errors?.[0].message).toContain("MIN_CIVIL_SOCIETY_REPRESENTATIVES: needs at least 4 civil-society representatives, has 3");
  expect((refused.errors?.[0].extensions?.violations as { rule: string }[]).map((v) => v.rule)).toEqual(["ONE_ACTIVE_TERM", "MEMBERS", "MIN_CIVIL_SOCIETY_REPRESENTATIVES"]);
  const [row] = await topology.sql<{ status: string }>("advisory", "select status from panel_term where id = $1", [term.id]);
  expect(row.status).toBe("DRAFT");
  expect(await count("advisory", "outbox_event")).toBe(events);

  // The draft may not become impossible to complete either.
  expect(codes(await appoint("CONVENER"))).toEqual(["CONFLICT"]);
});

test("a change that would break the active term is refused with nothing written; a replacement in kind is accepted", async () => {
  const term = (await ok(q("{ currentPanelTerm { id members { id role leftOn } } }"))).currentPanelTerm;
  const civil = term.members.find((m: { role: string; leftOn: string | null }) => m.role === "CIVIL_SOCIETY_REPRESENTATIVE" && !m.leftOn);
  const before = { events: await count("advisory", "outbox_event"), members: await count("advisory", "panel_member") };

  const resigned = await mutate("resignPanelMember", { memberId: civil.id, leftOn: "2026-01-01" }, "member { leftOn }");
  expect(codes(resigned)).toEqual(["CONFLICT"]);
  expect(resigned.errors?.[0].extensions?.violations).toEqual([
    { rule: "MEMBERS", problem: "needs 11 members besides the convener, has 10" },
    { rule: "MIN_CIVIL_SOCIETY_REPRESENTATIVES", problem: "needs at least 4 civil-society representatives, has 3" },
  ]);
  const agencyInstead = await mutate(
    "replacePanelMember",
    { memberId: civil.id, on: "2026-01-01", replacement: { name: "李四", role: "AGENCY_REPRESENTATIVE", agencyCode: "IFM", affiliation: "法務部法醫研究所" } },
    "member { id }",
  );
  expect(codes(agencyInstead)).toEqual(["CONFLICT"]);
  expect(codes(await appoint(term.id))).toEqual(["CONFLICT"]);
  const [member] = await topology.sql<{ left_on: string | null }>("advisory", "select left_on from panel_member where id = $1", [civil.id]);
  expect(member.left_on).toBeNull();
  expect({ events: await count("advisory", "outbox_event"), members: await count("advisory", "panel_member") }).toEqual(before);

  const replaced = await ok(
    mutate(
      "replacePanelMember",
      { memberId: civil.id, on: "2026-01-01", replacement: { name: "林小華", role: "CIVIL_SOCIETY_REPRESENTATIVE", affiliation: "台灣人權促進會", organisation: "台灣人權促進會", expertise: "司法透明" } },
      "member { name organisation } term { composition { compliant civilSocietyRepresentatives } }",
    ),
  );
  expect(replaced.replacePanelMember).toEqual({ member: { name: "林小華", organisation: "台灣人權促進會" }, term: { composition: { compliant: true, civilSocietyRepresentatives: 4 } } });

  function appoint(termId: string) {
    return mutate("appointPanelMember", { termId, name: "張三", role: "CIVIL_SOCIETY_REPRESENTATIVE", affiliation: "大學", organisation: "大學", expertise: "統計" }, "member { id }");
  }
});

test("a replacement recorded ahead: the member stays seated, in the composition and as the agency's representative, until the day", async () => {
  const term = (await ok(q("{ currentPanelTerm { id members { id name agencyCode leftOn } } }"))).currentPanelTerm;
  const thpo = term.members.find((m: { agencyCode: string | null; leftOn: string | null }) => m.agencyCode === "THPO" && !m.leftOn);
  const replacement = { name: "趙六", role: "AGENCY_REPRESENTATIVE", agencyCode: "THPO", affiliation: "臺灣高等檢察署資訊室主任" };
  // A month ahead, within the seed's current term (第6屆, to 2027-05-31).
  const on = daysAfter(todayInTaipei(), 30);
  await ok(mutate("replacePanelMember", { memberId: thpo.id, on, replacement }, "member { id }"));
  const answer = await ok(q('{ agencies(codes: ["THPO"]) { panelRepresentatives { name appointedOn leftOn } } currentPanelTerm { composition { agencyRepresentatives compliant } } }'));
  expect(answer.agencies[0].panelRepresentatives).toEqual([{ name: thpo.name, appointedOn: "2025-06-01", leftOn: on }]);
  expect(answer.currentPanelTerm.composition).toEqual({ agencyRepresentatives: 7, compliant: true });
});

test("a member joins and leaves within the term and not before the appointment; by default a draft's members join on its first day", async () => {
  // A term not begun yet: after the seed's current one (to 2027-05-31), and after today.
  const startsOn = [daysAfter(todayInTaipei(), 1), "2027-06-01"].sort()[1];
  const endsOn = daysAfter(startsOn, 729);
  const outside = `is outside the term (第7屆 runs from ${startsOn} to ${endsOn})`;
  const term = (await ok(mutate("draftPanelTerm", { name: "第7屆", startsOn, endsOn }, "term { id }"))).draftPanelTerm.term;
  const before = { events: await count("advisory", "outbox_event"), members: await count("advisory", "panel_member") };
  const early = await appointTo(term.id, "CONVENER", { appointedOn: "2010-01-01" });
  expect(early.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    fields: [{ path: "input.appointedOn", reason: outside }],
  });
  expect({ events: await count("advisory", "outbox_event"), members: await count("advisory", "panel_member") }).toEqual(before);

  const convener = (await ok(appointTo(term.id, "CONVENER"))).appointPanelMember.member;
  expect(convener.appointedOn).toBe(startsOn);
  const composition = (await ok(q("{ panelTerms { id composition { conveners } } }"))).panelTerms.find((t: { id: string }) => t.id === term.id).composition;
  expect(composition).toEqual({ conveners: 1 });

  const leftBefore = await mutate("resignPanelMember", { memberId: convener.id, leftOn: "2020-01-01" }, "member { leftOn }");
  expect(leftBefore.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.leftOn", reason: outside }] });
  const replacement = { name: "周七", role: "CONVENER", affiliation: "法務部政務次長" };
  const replacedEarly = await mutate("replacePanelMember", { memberId: convener.id, on: "2005-01-01", replacement }, "member { appointedOn }");
  expect(replacedEarly.errors?.[0].extensions?.fields).toEqual([{ path: "input.on", reason: outside }]);
  const later = (await ok(appointTo(term.id, "AGENCY_REPRESENTATIVE", { agencyCode: "MOJ", appointedOn: daysAfter(startsOn, 92) }))).appointPanelMember.member;
  const beforeAppointment = await mutate("resignPanelMember", { memberId: later.id, leftOn: daysAfter(startsOn, 61) }, "member { leftOn }");
  expect(beforeAppointment.errors?.[0].extensions?.fields).toEqual([{ path: "input.leftOn", reason: `is before the member's appointment (${daysAfter(startsOn, 92)})` }]);
  expect(await topology.sql("advisory", "select left_on::text as left_on from panel_member where id = any($1)", [[convener.id, later.id]])).toEqual([{ left_on: null }, { left_on: null }]);
  await ok(mutate("resignPanelMember", { memberId: later.id }, "member { id }"));
  await ok(mutate("resignPanelMember", { memberId: convener.id }, "member { id }"));
  expect(await topology.sql("advisory", "select left_on::text as left_on from panel_member where id = any($1) order by left_on", [[convener.id, later.id]])).toEqual([
    { left_on: startsOn },
    { left_on: daysAfter(startsOn, 92) },
  ]);
});

test("a term overlapping another is refused, naming it, and nothing is written", async () => {
  const before = { events: await count("advisory", "outbox_event"), terms: await count("advisory", "panel_term") };
  const overlapping = await mutate("draftPanelTerm", { name: "第6屆之二", startsOn: "2026-01-01", endsOn: "2026-12-31" }, "term { id }");
  expect(codes(overlapping)).toEqual(["CONFLICT"]);
  expect(overlapping.errors?.[0].message).toBe("Cannot draft the term (第6屆之二, DRAFT): TERMS_DO_NOT_OVERLAP: overlaps 第6屆 (2025-06-01 to 2027-05-31).");
  expect(overlapping.errors?.[0].extensions?.violations).toEqual([{ rule: "TERMS_DO_NOT_OVERLAP", problem: "overlaps 第6屆 (2025-06-01 to 2027-05-31)" }]);
  expect(codes(await mutate("draftPanelTerm", { name: "第6屆", startsOn: "2025-06-01", endsOn: "2027-05-31" }, "term { id }"))).toEqual(["CONFLICT"]);
  expect({ events: await count("advisory", "outbox_event"), terms: await count("advisory", "panel_term") }).toEqual(before);
});

/** A meeting today-ish with unpublished minutes, for the tests below. */
async function newMeeting(title: string): Promise<string> {
  return (await ok(mutate("schedulePanelMeeting", { heldOn: "2026-06-15", title }, "meeting { id }"))).schedulePanelMeeting.meeting.id;
}

test("an agenda item resolves its dataset and its comment from two agencies' shards in one gateway query", async () => {
  const [dataset] = await topology.sql<{ id: string; title: string }>("catalogue:MOJ", "select id, title from dataset where lifecycle_state = 'PUBLISHED' order by identifier limit 1");
  const [comment] = await topology.sql<{ id: string; title: string }>("feedback:ACA", "select id, title from feedback order by received_at limit 1");
  const meetingId = await newMeeting("跨機關議題");
  const item = await ok(
    mutate(
      "addAgendaItem",
      {
        meetingId,
        title: "法務部資料集與矯正署民眾意見",
        kind: "OTHER",
        subjects: [
          { kind: "DATASET", agencyCode: "MOJ", id: dataset.id },
          { kind: "FEEDBACK", agencyCode: "ACA", id: comment.id },
          { kind: "AGENCY", agencyCode: "ACA" },
        ],
      },
      "item { id position }",
    ),
  );
  expect(item.addAgendaItem.item.position).toBe(1);
  const answer = await q(
    `query($id: ID!) { panelMeeting(id: $id) { agenda { title datasets { agencyCode title } feedback { agencyCode title } agencies { code name } } } }`,
    { id: meetingId },
    tokens.panel,
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data.panelMeeting.agenda).toEqual([
    {
      title: "法務部資料集與矯正署民眾意見",
      datasets: [{ agencyCode: "MOJ", title: dataset.title }],
      feedback: [{ agencyCode: "ACA", title: comment.title }],
      agencies: [{ code: "ACA", name: "法務部矯正署" }],
    },
  ]);

  const badSubject = await mutate("addAgendaItem", { meetingId, title: "x", kind: "OTHER", subjects: [{ kind: "DATASET", agencyCode: "MOJ" }] }, "item { id }");
  expect(badSubject.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.subjects.0.id" }] });
});

test("a consultation's resolution is the basis of the inventory item's openness decision, visible from both sides", async () => {
  const item = (await ok(mutate("addInventoryItem", { agencyCode: "ACA", title: "收容人個人資料統計", description: "含個人資料", holdsPersonalData: true }, "item { id }", tokens.acaStaff)))
    .addInventoryItem.item;
  const meetingId = await newMeeting("個資開放諮詢");
  const agendaItem = (
    await ok(mutate("addAgendaItem", { meetingId, title: "收容人統計可否開放", kind: "CONSULTATION", subjects: [{ kind: "INVENTORY_ITEM", agencyCode: "ACA", id: item.id }] }, "item { id }"))
  ).addAgendaItem.item;
  const resolution = (
    await ok(
      mutate(
        "adoptResolution",
        { meetingId, agendaItemId: agendaItem.id, text: "去識別化後得開放", ownerAgencyCode: "ACA", dueOn: "2026-12-31" },
        "resolution { id consultedItem { agencyCode title holdsPersonalData } }",
      ),
    )
  ).adoptResolution.resolution;
  expect(resolution.consultedItem).toEqual({ agencyCode: "ACA", title: "收容人個人資料統計", holdsPersonalData: true });

  await ok(
    mutate(
      "decideOpenness",
      { agencyCode: "ACA", itemId: item.id, openness: "OPENABLE", priorityBasis: "PUBLIC_DEMAND", plannedOpeningOn: "2027-01-01", panelResolutionId: resolution.id },
      "item { id }",
      tokens.acaStaff,
    ),
  );
  const inventory = await q('{ agencies(codes: ["ACA"]) { inventory(first: 100) { edges { node { id panelResolution { text status ownerAgency { code } } } } } } }', undefined, tokens.acaStaff);
  expect(inventory.errors).toBeUndefined();
  const node = inventory.data.agencies[0].inventory.edges.map((e: { node: { id: string } }) => e.node).find((n: { id: string }) => n.id === item.id);
  expect(node.panelResolution).toEqual({ text: "去識別化後得開放", status: "OPEN", ownerAgency: { code: "ACA" } });
});

test("what happens at a meeting is not recorded before its day: attendance, minutes, resolutions, reviews, the strategy and the report are refused, nothing written", async () => {
  // Some weeks ahead, within the seed's current term (第6屆, to 2027-05-31).
  const heldOn = daysAfter(todayInTaipei(), 45);
  const meetingId = (await ok(mutate("schedulePanelMeeting", { heldOn, title: "116年第1次會議" }, "meeting { id }"))).schedulePanelMeeting.meeting.id;
  await ok(mutate("addAgendaItem", { meetingId, title: "各機關盤點檢視", kind: "REVIEW", subjects: [{ kind: "AGENCY", agencyCode: "ACA" }] }, "item { id }"));
  const members = (await ok(q("{ currentPanelTerm { members { id leftOn } } }"))).currentPanelTerm.members.filter((m: { leftOn: string | null }) => !m.leftOn);
  const before = await count("advisory", "outbox_event");
  const refusals = [
    ["record attendance", await mutate("recordAttendance", { meetingId, memberIds: [members[0].id] }, "meeting { id }")],
    ["record minutes", await mutate("recordMinutes", { meetingId, minutes: "預錄", publish: true }, "meeting { id }")],
    ["record resolutions", await mutate("adoptResolution", { meetingId, text: "預先決議", ownerAgencyCode: "ACA", dueOn: daysAfter(heldOn, 70) }, "resolution { id }")],
    ["record reviews", await mutate("recordReview", { meetingId, agencyCode: "ACA", outcome: "SATISFACTORY", requests: "x" }, "review { id }")],
    ["record strategy versions", await mutate("approveStrategyVersion", { meetingId, summary: "預核", targets: [{ strategy: 1, goal: "x" }] }, "version { id }")],
    ["record reports to the Executive Yuan", await mutate("recordExecutiveYuanReport", { meetingId, year: 2026, sentOn: daysAfter(heldOn, 12), summary: "x" }, "report { id }")],
  ] as const;
  for (const [action, answer] of refusals) {
    expect({ action, codes: codes(answer), message: answer.errors?.[0].message }).toEqual({
      action,
      codes: ["CONFLICT"],
      message: `Cannot ${action}: the meeting is on ${heldOn}; what happened at it is recorded from that day on.`,
    });
  }
  expect(await count("advisory", "outbox_event")).toBe(before);
  const [row] = await topology.sql<{ minutes: string | null }>("advisory", "select minutes from panel_meeting where id = $1", [meetingId]);
  expect(row.minutes).toBeNull();
  for (const table of ["panel_attendance", "panel_resolution", "agency_review", "strategy_version", "executive_yuan_report"]) {
    expect(await topology.sql("advisory", `select 1 from ${table} where meeting_id = $1`, [meetingId])).toEqual([]);
  }
});

test("a strategy version is approved in order, with one target for each strategy it sets; refused otherwise with nothing written", async () => {
  const meetingId = (await ok(mutate("schedulePanelMeeting", { heldOn: "2016-05-05", title: "105年臨時會議" }, "meeting { id }"))).schedulePanelMeeting.meeting.id;
  const before = await count("advisory", "strategy_version");
  const target = { strategy: 1, goal: "優先開放民眾需求高之資料" };
  const none = await mutate("approveStrategyVersion", { meetingId, summary: "x", targets: [] }, "version { version }");
  expect(none.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.targets", reason: "names at least one strategy's target" }] });
  const twice = await mutate("approveStrategyVersion", { meetingId, summary: "x", targets: [target, { ...target, goal: "另一目標" }] }, "version { version }");
  expect(twice.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    fields: [{ path: "input.targets.1.strategy", reason: "strategy 1 already has its target at input.targets.0" }],
  });
  const earlier = await mutate("approveStrategyVersion", { meetingId, summary: "x", targets: [target] }, "version { version }");
  expect(codes(earlier)).toEqual(["CONFLICT"]);
  expect(earlier.errors?.[0].message).toBe(
    "Cannot record a strategy version at the meeting of 2016-05-05: version 4 was approved on 2018-03-19; a new version is approved at a meeting on or after that day.",
  );
  expect(await count("advisory", "strategy_version")).toBe(before);
});

describe("roles", () => {
  let meetingId: string;
  let acaResolution: string;
  let mojResolution: string;
  let acaReview: string;

  beforeAll(async () => {
    meetingId = await newMeeting("角色測試會議");
    await ok(mutate("recordMinutes", { meetingId, minutes: "未公開之紀錄", publish: false }, "meeting { id }"));
    const adopt = async (owner: string) =>
      (await ok(mutate("adoptResolution", { meetingId, text: `${owner}辦理`, ownerAgencyCode: owner, dueOn: "2027-01-31" }, "resolution { id }"))).adoptResolution.resolution.id;
    const dueBefore = await mutate("adoptResolution", { meetingId, text: "逾期決議", ownerAgencyCode: "ACA", dueOn: "2020-01-01" }, "resolution { id }");
    expect(dueBefore.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.dueOn", reason: "is before the meeting (2026-06-15)" }] });
    expect(await topology.sql("advisory", "select 1 from panel_resolution where meeting_id = $1", [meetingId])).toEqual([]);
    acaResolution = await adopt("ACA");
    mojResolution = await adopt("MOJ");
    acaReview = (await ok(mutate("recordReview", { meetingId, agencyCode: "ACA", outcome: "IMPROVEMENT_REQUESTED", requests: "補正盤點" }, "review { id }"))).recordReview.review.id;
    await ok(mutate("recordReview", { meetingId, agencyCode: "MOJ", outcome: "SATISFACTORY", requests: "持續辦理" }, "review { id }"));
  });

  /** The seeded 2018 meeting's attendance, follow-ups and reports: for the ministry and the panel only. */
  const SEEDED_RECORD = '{ panelMeetings(from: "2018-03-19", to: "2018-03-19") { title quorum { met } followUps { status } reports { year } } }';
  const MEETING = `query($id: ID!) { panelMeeting(id: $id) { title minutes agenda { title } attendees { id } reviews { agencyCode remarks { text } } resolutions { id } } }`;
  const read = (token?: string) => q(MEETING, { id: meetingId }, token);
  const resolutionIds = (response: GraphQLResponse<Data>) => response.data.panelMeeting.resolutions.map((r: { id: string }) => r.id).sort();

  test("public: published minutes, their resolutions and the strategy's versions only; no write", async () => {
    const unpublished = await read();
    expect(unpublished.data.panelMeeting).toEqual({ title: "角色測試會議", minutes: null, agenda: null, attendees: null, reviews: null, resolutions: [] });
    expect(codes(unpublished)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    const seeded = await q('{ panelMeetings(from: "2018-03-19", to: "2018-03-19") { minutes resolutions { text status } } strategyVersions { version } }');
    expect(seeded.errors).toBeUndefined();
    expect(seeded.data.panelMeetings[0].minutes).toContain("紀錄");
    expect(seeded.data.panelMeetings[0].resolutions.length).toBeGreaterThan(0);
    expect(seeded.data.strategyVersions).toHaveLength(4);
    expect((await q("{ panelResolutions { id } }")).data.panelResolutions.map((r: { id: string }) => r.id)).not.toContain(acaResolution);
    expect(codes(await q("{ executiveYuanReports { year } }"))).toEqual(["FORBIDDEN"]);
    const record = await q(SEEDED_RECORD);
    expect(record.data.panelMeetings[0]).toEqual({ title: expect.any(String), quorum: null, followUps: null, reports: null });
    expect(codes(record)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    const unknownId = "00000000-0000-4000-8000-000000000000";
    const unknown = await mutate("updateResolutionStatus", { resolutionId: unknownId, status: "DONE" }, "resolution { id }", PUBLIC);
    const unreadable = await mutate("updateResolutionStatus", { resolutionId: acaResolution, status: "DONE" }, "resolution { id }", PUBLIC);
    expect(codes(unreadable)).toEqual(["NOT_FOUND"]);
    expect(unreadable.errors?.[0].message).toBe(unknown.errors?.[0].message.replace(unknownId, acaResolution));
    expect(unreadable.errors?.[0].message).not.toContain("ACA");
    expect(codes(await mutate("schedulePanelMeeting", { heldOn: "2026-07-01", title: "x" }, "meeting { id }", PUBLIC))).toEqual(["FORBIDDEN"]);
  });

  test.each([
    ["AGENCY_STAFF", "acaStaff"],
    ["AGENCY_CIO", "acaCio"],
  ] as const)("%s of ACA: its own reviews and resolutions; updates the status of those it owns only", async (_role, who) => {
    const answer = await read(tokens[who]);
    expect(answer.data.panelMeeting).toMatchObject({ minutes: null, agenda: null, attendees: null, reviews: [{ agencyCode: "ACA", remarks: expect.any(Array) }] });
    expect(resolutionIds(answer)).toEqual([acaResolution]);
    expect(codes(answer)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    expect(codes(await q(SEEDED_RECORD, undefined, tokens[who]))).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    expect(codes(await q("{ executiveYuanReports { year } }", undefined, tokens[who]))).toEqual(["FORBIDDEN"]);

    for (const [on, reason] of [
      ["2001-01-01", "is before the meeting (2026-06-15)"],
      ["2099-01-01", `is after today (${todayInTaipei()} in Taipei)`],
    ]) {
      const refused = await mutate("updateResolutionStatus", { resolutionId: acaResolution, status: "DONE", on }, "resolution { status doneOn }", tokens[who]);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.on", reason }] });
    }
    expect(await topology.sql("advisory", "select done_on from panel_resolution where id = $1", [acaResolution])).toEqual([{ done_on: null }]);
    const done = await ok(mutate("updateResolutionStatus", { resolutionId: acaResolution, status: "DONE", on: "2026-07-01" }, "resolution { status doneOn }", tokens[who]));
    expect(done.updateResolutionStatus.resolution).toEqual({ status: "DONE", doneOn: "2026-07-01" });
    await ok(mutate("updateResolutionStatus", { resolutionId: acaResolution, status: "OPEN" }, "resolution { status }", tokens[who]));
    expect(await topology.sql("advisory", "select done_on from panel_resolution where id = $1", [acaResolution])).toEqual([{ done_on: null }]);
    const before = await topology.sql("advisory", "select done_on from panel_resolution where id = $1", [mojResolution]);
    expect(codes(await mutate("updateResolutionStatus", { resolutionId: mojResolution, status: "DONE" }, "resolution { id }", tokens[who]))).toEqual(["NOT_FOUND"]);
    expect(await topology.sql("advisory", "select done_on from panel_resolution where id = $1", [mojResolution])).toEqual(before);
    expect(codes(await mutate("addReviewRemark", { reviewId: acaReview, text: "x" }, "remark { id }", tokens[who]))).toEqual(["FORBIDDEN"]);
    expect(codes(await mutate("recordReview", { meetingId, agencyCode: "ACA", outcome: "SATISFACTORY", requests: "x" }, "review { id }", tokens[who]))).toEqual(["FORBIDDEN"]);
  });

  test("permission is checked before the input: ACA's staff are refused the ministry's writes whatever they send, and told nothing of a resolution they may not read", async () => {
    const civil = { name: "張三", role: "CIVIL_SOCIETY_REPRESENTATIVE", affiliation: "大學" };
    const term = (await ok(q("{ currentPanelTerm { id members { id leftOn } } }"))).currentPanelTerm;
    const member = term.members.find((m: { leftOn: string | null }) => !m.leftOn);
    const before = await count("advisory", "outbox_event");
    const answers = {
      agenda: await mutate("addAgendaItem", { meetingId, title: "x", kind: "CONSULTATION" }, "item { id }", tokens.acaStaff),
      appoint: await mutate("appointPanelMember", { termId: term.id, ...civil }, "member { id }", tokens.acaStaff),
      replace: await mutate("replacePanelMember", { memberId: member.id, replacement: civil }, "member { id }", tokens.acaStaff),
      overdue: await mutate("updateResolutionStatus", { resolutionId: mojResolution, status: "OVERDUE" }, "resolution { id }", tokens.acaStaff),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, codes(answer)]))).toEqual({
      agenda: ["FORBIDDEN"],
      appoint: ["FORBIDDEN"],
      replace: ["FORBIDDEN"],
      overdue: ["NOT_FOUND"],
    });
    expect(await count("advisory", "outbox_event")).toBe(before);
  });

  test("PANEL_MEMBER: reads everything of the panel and remarks on reviews; manages nothing", async () => {
    const remark = await ok(mutate("addReviewRemark", { reviewId: acaReview, text: "請說明逾期原因" }, "remark { author text }", tokens.panel));
    expect(remark.addReviewRemark.remark).toEqual({ author: "test-panel_member", text: "請說明逾期原因" });
    const answer = await read(tokens.panel);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.panelMeeting).toMatchObject({ minutes: "未公開之紀錄", agenda: [], attendees: [] });
    expect(answer.data.panelMeeting.reviews.map((r: { agencyCode: string }) => r.agencyCode)).toEqual(["ACA", "MOJ"]);
    expect(answer.data.panelMeeting.reviews[0].remarks).toEqual([{ text: "請說明逾期原因" }]);
    expect(resolutionIds(answer)).toEqual([acaResolution, mojResolution].sort());
    expect((await ok(q("{ executiveYuanReports { year } }", undefined, tokens.panel))).executiveYuanReports).toHaveLength(4);
    expect((await ok(q(SEEDED_RECORD, undefined, tokens.panel))).panelMeetings[0]).toMatchObject({ quorum: { met: true }, reports: [{ year: 2017 }] });
    expect(codes(await mutate("recordMinutes", { meetingId, minutes: "x", publish: true }, "meeting { id }", tokens.panel))).toEqual(["FORBIDDEN"]);
    expect(codes(await mutate("updateResolutionStatus", { resolutionId: mojResolution, status: "DONE" }, "resolution { id }", tokens.panel))).toEqual(["FORBIDDEN"]);
  });

  test("MINISTRY_ADMIN: manages the meeting; publishing the minutes opens them and their resolutions to the public", async () => {
    const members = (await ok(q("{ currentPanelTerm { members { id appointedOn leftOn } } }"))).currentPanelTerm.members.filter(
      (m: { appointedOn: string; leftOn: string | null }) => !m.leftOn && m.appointedOn <= "2026-06-15",
    );
    await ok(mutate("recordAttendance", { meetingId, memberIds: members.slice(0, 6).map((m: { id: string }) => m.id) }, "meeting { id }"));
    const quorum = (await ok(q("query($id: ID!) { panelMeeting(id: $id) { quorum { required present met } } }", { id: meetingId }, tokens.admin))).panelMeeting.quorum;
    expect(quorum).toEqual({ required: 7, present: 6, met: false });
    await ok(mutate("recordMinutes", { meetingId, minutes: "公開之紀錄", publish: true }, "meeting { minutesPublished }"));
    const events = await count("advisory", "outbox_event");
    const rewrite = await mutate("recordMinutes", { meetingId, minutes: "changed", publish: false }, "meeting { minutes minutesPublished }");
    expect(codes(rewrite)).toEqual(["CONFLICT"]);
    expect(rewrite.errors?.[0].message).toBe("Cannot record minutes: the minutes of 2026-06-15 are published and stay as published.");
    expect((await ok(mutate("recordMinutes", { meetingId, minutes: "公開之紀錄", publish: true }, "meeting { minutes }"))).recordMinutes.meeting.minutes).toBe("公開之紀錄");
    expect(await count("advisory", "outbox_event")).toBe(events);
    expect(await topology.sql("advisory", "select minutes, minutes_published from panel_meeting where id = $1", [meetingId])).toEqual([{ minutes: "公開之紀錄", minutes_published: true }]);
    const publicView = await read();
    expect(publicView.data.panelMeeting.minutes).toBe("公開之紀錄");
    expect(resolutionIds(publicView)).toEqual([acaResolution, mojResolution].sort());
    // Readable now, MOJ's resolution is refused to ACA's staff as someone else's.
    const notOwner = await mutate("updateResolutionStatus", { resolutionId: mojResolution, status: "DONE" }, "resolution { id }", tokens.acaStaff);
    expect(notOwner.errors?.[0]).toMatchObject({ message: "Only MOJ's staff and the ministry update this resolution; you are AGENCY_STAFF of ACA.", extensions: { code: "FORBIDDEN" } });
    expect(codes(publicView)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);

    const targets = [{ strategy: 2, goal: "民眾意見14日內回復" }];
    expect(codes(await mutate("approveStrategyVersion", { meetingId, summary: "第5版", targets }, "version { id }", tokens.panel))).toEqual(["FORBIDDEN"]);
    const version = await ok(mutate("approveStrategyVersion", { meetingId, summary: "第5版", targets }, "version { version approvedOn targets { strategy goal } }"));
    expect(version.approveStrategyVersion.version).toEqual({ version: 5, approvedOn: "2026-06-15", targets });
    expect(codes(await mutate("approveStrategyVersion", { meetingId, summary: "again", targets }, "version { id }"))).toEqual(["CONFLICT"]);
    const early = await mutate("recordExecutiveYuanReport", { meetingId, year: 2025, sentOn: "2026-06-01", summary: "x" }, "report { id }");
    expect(early.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "input.sentOn" }] });
    const report = await ok(mutate("recordExecutiveYuanReport", { meetingId, year: 2025, sentOn: "2026-06-30", summary: "114年度成果" }, "report { sentOn evaluation { year } meeting { heldOn } }"));
    expect(report.recordExecutiveYuanReport.report).toEqual({ sentOn: "2026-06-30", evaluation: { year: 2025 }, meeting: { heldOn: "2026-06-15" } });
    expect((await ok(q("{ strategyVersions { version } }"))).strategyVersions).toHaveLength(5);
  });
});

test("once the active term has ended, a complete draft is activated; an ended term takes no change", async () => {
  const draft = (await ok(mutate("draftPanelTerm", { name: "第10屆", startsOn: "2033-06-01", endsOn: "2035-05-31" }, "term { id }"))).draftPanelTerm.term;
  await appointPanel(draft.id, 4);
  const current = (await ok(q("{ currentPanelTerm { id } }"))).currentPanelTerm;
  expect(codes(await mutate("endPanelTerm", { termId: draft.id }, "term { id }"))).toEqual(["CONFLICT"]);
  expect((await ok(mutate("endPanelTerm", { termId: current.id }, "term { status }"))).endPanelTerm.term.status).toBe("ENDED");
  // With no term active, the current term is the latest.
  expect((await ok(q("{ currentPanelTerm { name status } }"))).currentPanelTerm).toEqual({ name: "第10屆", status: "DRAFT" });
  expect((await ok(mutate("activatePanelTerm", { termId: draft.id }, "term { status }"))).activatePanelTerm.term.status).toBe("ACTIVE");
  expect((await ok(q("{ currentPanelTerm { name composition { compliant } } }"))).currentPanelTerm).toEqual({ name: "第10屆", composition: { compliant: true } });
  expect(codes(await appointTo(current.id, "CIVIL_SOCIETY_REPRESENTATIVE", { organisation: "x", expertise: "y" }))).toEqual(["CONFLICT"]);
  expect(codes(await mutate("activatePanelTerm", { termId: current.id }, "term { id }", tokens.panel))).toEqual(["FORBIDDEN"]);
});
