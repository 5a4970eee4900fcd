/**
 * The panel as ../shared/design/DOMAIN.md describes it: set up on 2015-06-01 (104/6/1), two-year
 * terms, each with 1 convener, 7 agency and 4 civil-society representatives;
 * the latest term active, the others ended. The four review meetings
 * (2015-06-22, 2016-03-29, 2017-03-28, 2018-03-19) each review every agency,
 * approve a version of the action strategy and are reported to the Executive Yuan.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { AGENCIES } from "../../contract/agencies";
import { pick, seededRandom } from "../kit/random";
import { PanelRole, TermStatus } from "./composition";
import {
  AgencyReview,
  AgendaItem,
  AgendaItemKind,
  AgendaSubject,
  AgendaSubjectKind,
  ExecutiveYuanReport,
  PanelAttendance,
  PanelMeeting,
  PanelMember,
  PanelResolution,
  PanelTerm,
  ReviewOutcome,
  StrategyVersion,
} from "./entities";

const FIRST_TERM_YEAR = 2015;
const TERMS = 6;
const SURNAMES = ["陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊", "許", "鄭"];
const GIVEN_NAMES = ["志明", "淑芬", "建宏", "美玲", "俊傑", "怡君", "家豪", "雅婷", "宗翰", "佩珊"];
const AGENCY_SEATS: [string, string][] = [
  ["MOJ", "法務部資訊處處長"],
  ["MJIB", "法務部調查局資訊室主任"],
  ["SPO", "最高檢察署資訊室主任"],
  ["THPO", "臺灣高等檢察署資訊室主任"],
  ["ACA", "法務部矯正署資訊室主任"],
  ["AEA", "法務部行政執行署資訊室主任"],
  ["AAC", "法務部廉政署資訊室主任"],
];
/** Affiliation, organisation, field of expertise. */
const CIVIL_SEATS: [string, string, string][] = [
  ["國立臺灣大學法律學院教授", "國立臺灣大學", "資訊法與個人資料保護"],
  ["開放文化基金會董事", "開放文化基金會", "開放資料與公民科技"],
  ["中央研究院資訊科學研究所研究員", "中央研究院", "資料去識別化"],
  ["台灣人權促進會執行委員", "台灣人權促進會", "司法透明與人權"],
];

/** The four review meetings, each with the strategy version it approved and the year it reported. */
const MEETINGS = [
  { heldOn: "2015-06-22", title: "資料開放諮詢小組104年第1次會議", strategy: "首版行動策略：擴大推動資料開放、提升資料集品質、促進與民間協同合作、定期評估檢討執行成效。" },
  { heldOn: "2016-03-29", title: "資料開放諮詢小組105年第1次會議", strategy: "修訂：依民眾需求排定開放優先順序，並建立意見回饋管理機制。" },
  { heldOn: "2017-03-28", title: "資料開放諮詢小組106年第1次會議", strategy: "修訂：民眾意見14日內回復，回復經機關資訊長核定。" },
  { heldOn: "2018-03-19", title: "資料開放諮詢小組107年第1次會議", strategy: "修訂：優先提供結構化且通過品質檢測之資料集（資料集品質檢測標章，107年3月1日上線）。" },
];

const TARGETS = [
  { strategy: 1, goal: "優先開放法律規定應公開、法定職掌產製且無法律限制、及民眾需求高之資料" },
  { strategy: 2, goal: "民眾意見14日內回復，回復經機關資訊長核定" },
  { strategy: 3, goal: "諮詢小組召集人1人、委員11人：機關代表7人、民間代表至少4人" },
  { strategy: 4, goal: "每次會議檢視各機關盤點資料及民眾需求回應，結果報院備查" },
];

const OUTCOMES = [ReviewOutcome.SATISFACTORY, ReviewOutcome.SATISFACTORY, ReviewOutcome.IMPROVEMENT_REQUESTED];
const REQUESTS: Record<ReviewOutcome, string> = {
  SATISFACTORY: "持續依盤點結果開放，並維持民眾意見14日內回復。",
  IMPROVEMENT_REQUESTED: "請補正盤點清冊之優先開放依據，並改善逾期未回復之民眾意見。",
  UNSATISFACTORY: "請於下次會議前提出改善計畫。",
};

const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export async function seedAdvisory(em: EntityManager): Promise<void> {
  const random = seededRandom(20150601);
  const name = () => `${pick(random, SURNAMES)}${pick(random, GIVEN_NAMES)}`;
  const terms: { term: PanelTerm; members: PanelMember[] }[] = [];
  for (let t = 0; t < TERMS; t++) {
    const year = FIRST_TERM_YEAR + 2 * t;
    const startsOn = `${year}-06-01`;
    const status = t === TERMS - 1 ? TermStatus.ACTIVE : TermStatus.ENDED;
    const term = em.create(PanelTerm, { name: `第${t + 1}屆`, startsOn, endsOn: `${year + 2}-05-31`, status });
    const seat = (role: PanelRole, affiliation: string, extra: Partial<PanelMember> = {}) =>
      em.create(PanelMember, { term, name: name(), role, affiliation, appointedOn: startsOn, ...extra });
    const members = [
      seat(PanelRole.CONVENER, "法務部政務次長"),
      ...AGENCY_SEATS.map(([agencyCode, affiliation]) => seat(PanelRole.AGENCY_REPRESENTATIVE, affiliation, { agencyCode })),
      ...CIVIL_SEATS.map(([affiliation, organisation, expertise]) => seat(PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, affiliation, { organisation, expertise })),
    ];
    em.persist([term, ...members]);
    terms.push({ term, members });
  }

  MEETINGS.forEach(({ heldOn, title, strategy }, m) => {
    const { term, members } = terms.find(({ term }) => term.startsOn <= heldOn && heldOn <= term.endsOn)!;
    const meeting = em.create(PanelMeeting, {
      termId: term.id,
      heldOn,
      title,
      minutes: `${title}紀錄：檢視法務部及所屬機關資料盤點與民眾需求回應情形，並通過行動策略第${m + 1}版。`,
      minutesPublished: true,
    });
    // Everyone but one civil-society member, who sent apologies.
    const present = members.filter((_, i) => i !== members.length - 1 - (m % 4));
    const review = em.create(AgendaItem, { meetingId: meeting.id, position: 1, title: "各機關資料盤點及民眾需求回應檢視", kind: AgendaItemKind.REVIEW });
    const subjects = AGENCIES.map((agency) => em.create(AgendaSubject, { agendaItemId: review.id, kind: AgendaSubjectKind.AGENCY, agencyCode: agency.code }));
    const strategyItem = em.create(AgendaItem, { meetingId: meeting.id, position: 2, title: "資料開放行動策略修訂", kind: AgendaItemKind.STRATEGY });
    const reviews = AGENCIES.map((agency, a) => {
      const outcome = OUTCOMES[(a + m) % OUTCOMES.length];
      return em.create(AgencyReview, { meetingId: meeting.id, agencyCode: agency.code, outcome, requests: REQUESTS[outcome] });
    });
    const improving = reviews.filter((r) => r.outcome === ReviewOutcome.IMPROVEMENT_REQUESTED);
    const resolutions = improving.map((r) =>
      em.create(PanelResolution, {
        meetingId: meeting.id,
        agendaItemId: review.id,
        text: `${r.agencyCode}於下次會議前補正盤點清冊並改善逾期回復情形。`,
        ownerAgencyCode: r.agencyCode,
        dueOn: addDays(heldOn, 90),
        // Each is done a month after the next meeting, which follows it up as overdue; the last meeting's stay open.
        doneOn: m < MEETINGS.length - 1 ? addDays(MEETINGS[m + 1].heldOn, 30) : undefined,
      }),
    );
    const version = em.create(StrategyVersion, { version: m + 1, approvedOn: heldOn, meetingId: meeting.id, summary: strategy, targets: TARGETS });
    const [year] = heldOn.split("-").map(Number);
    const report = em.create(ExecutiveYuanReport, {
      meetingId: meeting.id,
      year: year - 1,
      sentOn: addDays(heldOn, 14),
      summary: `${title}後，報院備查${year - 1 - 1911}年度資料開放執行成果。`,
    });
    em.persist([
      meeting,
      ...present.map((member) => em.create(PanelAttendance, { meetingId: meeting.id, memberId: member.id })),
      review,
      ...subjects,
      strategyItem,
      ...reviews,
      ...resolutions,
      version,
      report,
    ]);
  });
  await em.flush();
}
