/**
 * The panel as ../shared/design/DOMAIN.md describes it: set up on 2015-06-01 (104/6/1), two-year
 * terms, each with 1 convener, 7 agency and 4 civil-society representatives.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { pick, seededRandom } from "../kit/random";
import { PanelRole } from "./composition";
import { PanelMember, PanelTerm } from "./entities";

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
const CIVIL_SEATS = ["國立臺灣大學法律學院教授", "開放文化基金會董事", "中央研究院資訊科學研究所研究員", "台灣人權促進會執行委員"];

export async function seedAdvisory(em: EntityManager): Promise<void> {
  const random = seededRandom(20150601);
  const name = () => `${pick(random, SURNAMES)}${pick(random, GIVEN_NAMES)}`;
  for (let t = 0; t < TERMS; t++) {
    const year = FIRST_TERM_YEAR + 2 * t;
    const startsOn = `${year}-06-01`;
    const term = em.create(PanelTerm, { name: `第${t + 1}屆`, startsOn, endsOn: `${year + 2}-05-31` });
    const seats: [PanelRole, string, string | undefined][] = [
      [PanelRole.CONVENER, "法務部政務次長", undefined],
      ...AGENCY_SEATS.map(([code, affiliation]): [PanelRole, string, string] => [PanelRole.AGENCY_REPRESENTATIVE, affiliation, code]),
      ...CIVIL_SEATS.map((affiliation): [PanelRole, string, undefined] => [PanelRole.CIVIL_SOCIETY_REPRESENTATIVE, affiliation, undefined]),
    ];
    for (const [role, affiliation, agencyCode] of seats) {
      em.persist(em.create(PanelMember, { term, name: name(), role, affiliation, agencyCode, appointedOn: startsOn }));
    }
    em.persist(term);
  }
  await em.flush();
}
