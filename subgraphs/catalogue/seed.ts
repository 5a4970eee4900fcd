/**
 * Seed data that reproduces ../shared/design/DOMAIN.md: datasets opened per year by the
 * ministry and its agencies (2013: 50, 2014: 30, 2015: 1,710, 2016: 252,
 * 2017: 137 — 2,179 in all) and 138 retired or merged by 2018-03-16, so that
 * 2,041 are on the platform that day. Each shard seeds only its own agency's
 * share; the shares are apportioned so the sums are exact.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { AGENCY_CODES, agencyByCode } from "../../contract/agencies";
import { apportion, hashString, pick, seededRandom } from "../kit/random";
import type { InstanceInfo } from "../kit/instance";
import { Dataset, DatasetType, LifecycleState, Resource } from "./entities";
import { appendDatasetEvent } from "./writes";
import { PriorityBasis } from "../kit/vocabulary";
import { InventoryItem, inventoryEvents, inventoryRank, InventoryState, Openness } from "./inventory";
import { rocYear } from "../kit/days";

export const OPENED_PER_YEAR: Record<number, number> = { 2013: 50, 2014: 30, 2015: 1710, 2016: 252, 2017: 137 };
export const RETIRED_BY_2018_03_16 = 138;

/** Share of the ministry's datasets each agency holds (prosecutors' and corrections' statistics dominate). */
const AGENCY_WEIGHT: Record<string, number> = { MOJ: 30, MJIB: 6, SPO: 5, IFM: 3, AEA: 8, THPO: 25, ACA: 15, AAC: 5, AJ: 3 };

const TOPICS: Record<string, string[]> = {
  MOJ: ["法務統計年報", "檢察機關辦理刑事案件", "法律扶助案件", "國家賠償事件", "犯罪被害人補償", "更生保護成果"],
  MJIB: ["毒品查緝案件", "洗錢防制案件", "經濟犯罪案件", "貪瀆案件移送"],
  SPO: ["最高檢察署受理上訴案件", "非常上訴案件", "檢察官評鑑"],
  IFM: ["法醫解剖鑑定案件", "毒物化學鑑定", "DNA鑑定案件"],
  AEA: ["行政執行案件", "移送機關徵起金額", "拘提管收案件"],
  THPO: ["地方檢察署偵查案件", "緩起訴處分金", "檢察機關執行裁判", "刑事案件終結情形"],
  ACA: ["矯正機關收容人數", "受刑人入監出監", "少年矯正學校學生", "戒治所受戒治人"],
  AAC: ["廉政案件偵辦", "財產申報審核", "請託關說登錄"],
  AJ: ["司法官學員受訓", "犯罪狀況及其分析", "檢察事務官在職研習"],
};
const BREAKDOWNS = ["按機關別", "按罪名別", "按性別及年齡", "按月別", "按縣市別", "按案件類別", "按處理結果"];
const FREQUENCIES = ["每1年", "每1年", "每1年", "每1月", "每1月", "不定期更新", "每3月", "每1日"];
const FORMATS = ["CSV", "CSV", "CSV", "CSV", "JSON", "XML", "XLSX", "PDF"];
const CATEGORIES = ["公共資訊", "公共資訊", "生活安全及品質", "求職及就業"];

export interface AgencySeedPlan {
  openedPerYear: Record<number, number>;
  retired: number;
}

/** How many datasets each agency opened per year and retired by 2018-03-16. */
export function seedPlan(): Record<string, AgencySeedPlan> {
  const codes = AGENCY_CODES;
  const weights = codes.map((code) => AGENCY_WEIGHT[code] ?? 1);
  const plan: Record<string, AgencySeedPlan> = Object.fromEntries(codes.map((code) => [code, { openedPerYear: {}, retired: 0 }]));
  for (const [year, total] of Object.entries(OPENED_PER_YEAR)) {
    apportion(total, weights).forEach((count, i) => (plan[codes[i]].openedPerYear[Number(year)] = count));
  }
  apportion(RETIRED_BY_2018_03_16, weights).forEach((count, i) => (plan[codes[i]].retired = count));
  return plan;
}

function isoDay(year: number, dayOfYear: number): string {
  return new Date(Date.UTC(year, 0, 1 + dayOfYear)).toISOString().slice(0, 10);
}

export async function seedCatalogue(em: EntityManager, instance: InstanceInfo): Promise<void> {
  const code = instance.agencyCode!;
  const agency = agencyByCode(code)!;
  const plan = seedPlan()[code];
  const random = seededRandom(hashString(code));
  const topics = TOPICS[code] ?? ["業務統計"];
  const datasets: Dataset[] = [];
  let serial = 0;
  for (const [year, count] of Object.entries(plan.openedPerYear)) {
    for (let i = 0; i < count; i++) {
      serial += 1;
      const identifier = `${code}-${String(serial).padStart(6, "0")}`;
      const topic = pick(random, topics);
      const breakdown = pick(random, BREAKDOWNS);
      const dataYear = rocYear(Number(year)) - Math.floor(random() * 3);
      const dataset = em.create(Dataset, {
        agencyCode: code,
        identifier,
        title: `${topic}${breakdown}（${dataYear}年）`,
        description: `${agency.name}提供之${topic}統計資料，${breakdown}分列，資料期間為民國${dataYear}年。`,
        category: pick(random, CATEGORIES),
        type: random() < 0.05 ? DatasetType.SERVICE : DatasetType.RAW_DATA,
        accrualPeriodicity: pick(random, FREQUENCIES),
        issued: isoDay(Number(year), Math.floor(random() * 365)),
        modified: new Date(Date.UTC(Number(year) + 1, 0, 15)),
        lifecycleState: LifecycleState.PUBLISHED,
        // Spread the first quality checks over a day rather than all at start.
        nextQualityCheckAt: new Date(Date.now() + random() * 24 * 3_600_000),
      });
      const resourceCount = random() < 0.2 ? 2 : 1;
      for (let r = 0; r < resourceCount; r++) {
        const format = pick(random, FORMATS);
        dataset.resources.add(
          em.create(Resource, {
            dataset,
            resourceId: `${identifier}-${String(r + 1).padStart(3, "0")}`,
            description: `${topic}${breakdown}${r === 0 ? "" : "（附表）"}`,
            format,
            encoding: format === "CSV" && random() < 0.2 ? "BIG-5" : "UTF-8",
            downloadUrl: `https://opendata.${code.toLowerCase()}.example.gov.tw/files/${identifier}-${r + 1}.${format.toLowerCase()}`,
            position: r,
          }),
        );
      }
      datasets.push(dataset);
    }
  }
  // Retire the oldest datasets: the first openings were the first replaced or merged.
  const oldestFirst = [...datasets].sort((a, b) => a.issued.localeCompare(b.issued) || a.identifier.localeCompare(b.identifier));
  oldestFirst.slice(0, plan.retired).forEach((dataset, i) => {
    const retiredOn = isoDay(2016, Math.floor(random() * 800));
    dataset.lifecycleState = LifecycleState.RETIRED;
    dataset.retiredOn = retiredOn > "2018-03-15" ? "2018-03-15" : retiredOn < dataset.issued ? dataset.issued : retiredOn;
    dataset.retirementReason = i % 3 === 0 ? `merged into ${datasets.at(-1)!.identifier}` : "資料已不再產製";
  });
  em.persist(datasets);
  await em.flush();
  // The history tells what the rows tell (metrics rebuilds its figures from it): openings in the order
  // of their days, then retirements. A seeded dataset has never been updated, so these are all its events.
  for (const dataset of oldestFirst) appendDatasetEvent(em, "DatasetPublished", dataset);
  await em.flush();
  const retired = datasets.filter((dataset) => dataset.retiredOn).sort((a, b) => a.retiredOn!.localeCompare(b.retiredOn!) || a.identifier.localeCompare(b.identifier));
  for (const dataset of retired) appendDatasetEvent(em, "DatasetRetired", dataset, { mergedInto: null });
  await em.flush();
  // After the datasets: inventory items refer to them by a plain id column, which the ORM does not order by.
  const inventory = seedInventory(em, code, datasets, topics, random);
  em.persist(inventory);
  await em.flush();
  // And the inventory's history, as its mutations would have written it.
  for (const item of inventory) {
    inventoryEvents.added(em, item);
    if (item.openness !== Openness.UNDECIDED) inventoryEvents.opennessDecided(em, item);
    if (item.state === InventoryState.PUBLISHED) inventoryEvents.published(em, item);
  }
  await em.flush();
}

/**
 * A small inventory (盤點) per agency, so the advisory panel's reviews have
 * evidence: the latest datasets as published holdings (one per priority
 * basis), holdings planned for opening, undecided ones, and one that the law
 * keeps closed.
 */
function seedInventory(em: EntityManager, code: string, datasets: Dataset[], topics: string[], random: () => number): InventoryItem[] {
  const bases = [PriorityBasis.REQUIRED_BY_LAW, PriorityBasis.STATUTORY_DUTY, PriorityBasis.PUBLIC_DEMAND];
  const usage = () => ({ views: Math.floor(random() * 5000), downloads: Math.floor(random() * 800), requests: Math.floor(random() * 30) });
  const item = (fields: Partial<InventoryItem> & { title: string; openness: Openness; state: InventoryState }) => {
    const counts = usage();
    return em.create(InventoryItem, { agencyCode: code, description: `${fields.title}之原始資料`, ...counts, ...fields, ...inventoryRank({ ...counts, ...fields }) });
  };
  const latest = datasets.filter((d) => d.lifecycleState === LifecycleState.PUBLISHED).slice(-bases.length);
  return [
    ...latest.map((dataset, i) =>
      item({ title: dataset.title, openness: Openness.OPENABLE, priorityBasis: bases[i], state: InventoryState.PUBLISHED, datasetId: dataset.id, plannedOpeningOn: dataset.issued }),
    ),
    ...Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) =>
      item({ title: `${pick(random, topics)}明細（規劃開放${i + 1}）`, openness: Openness.OPENABLE, priorityBasis: pick(random, bases), state: InventoryState.PLANNED, plannedOpeningOn: "2018-12-31" }),
    ),
    ...Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => item({ title: `${pick(random, topics)}原始紀錄（待評估${i + 1}）`, openness: Openness.UNDECIDED, state: InventoryState.INVENTORIED })),
    item({ title: "偵查中案件個人資料", openness: Openness.NOT_OPENABLE, state: InventoryState.INVENTORIED, legalBasis: "偵查不公開（刑事訴訟法第245條）", holdsPersonalData: true }),
  ];
}
