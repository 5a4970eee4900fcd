/** The dashboard's figures as data: the shapes the metrics projection answers with, and what the page computes from them. */
export interface YearCount {
  year: number;
  rocYear: number;
  count: number;
}

export type Strategy = "EXPAND_OPEN_DATA" | "IMPROVE_QUALITY" | "COLLABORATE" | "EVALUATE";
export type Indicator =
  | "DATASETS_OPENED"
  | "DATASETS_ON_PLATFORM"
  | "INVENTORY_OPENED"
  | "REPLIES_WITHIN_DEADLINE_PERCENT"
  | "STRUCTURED_RESOURCES_PASSING_PERCENT"
  | "COMMENTS_OVERDUE"
  | "CIVIL_PANEL_MEMBERS"
  | "PANEL_MEETINGS";

export interface Figure {
  indicator: Indicator;
  strategy: Strategy;
  actual: number;
  target: number | null;
  gap: number | null;
  /** Whether the target is met (the API's rule: fewer is better for overdue comments); null without a target. */
  met: boolean | null;
}

export interface Progress {
  asOf: string;
  year: number;
  rocYear: number;
  datasetsOnPlatform: number;
  datasetsRetired: number;
  openedInYear: number;
  inventoryPlanned: number;
  inventoryOpened: number;
  badgeDistribution: { level: "PLATINUM" | "GOLD" | "SILVER" | "BRONZE" | "NONE"; count: number }[];
  commentsReceived: number;
  repliedWithinDeadline: number;
  repliedWithinDeadlineShare: number | null;
  overdueNow: number;
  openedByYear?: YearCount[];
  figures?: Figure[];
}

export interface AgencyRow {
  code: string;
  name: string;
  nameEn: string;
  progress: Progress | null;
}

/** The running total of openings, year by year. */
export function cumulative(counts: YearCount[]): number[] {
  let sum = 0;
  return counts.map((entry) => (sum += entry.count));
}

export type BadgeLevel = Progress["badgeDistribution"][number]["level"];

/**
 * An agency's datasets by quality badge, the levels it has: those checked, and how many of its datasets on the
 * platform no check has judged yet (the distribution counts checked ones only: "none 2" of 613 read as if 611 were
 * missing).
 */
export function badgeCounts(progress: Progress): { level: BadgeLevel | "UNCHECKED"; count: number }[] {
  const checked = progress.badgeDistribution.filter((badge) => badge.count > 0);
  const unchecked = progress.datasetsOnPlatform - checked.reduce((sum, badge) => sum + badge.count, 0);
  return unchecked > 0 ? [...checked, { level: "UNCHECKED", count: unchecked }] : checked;
}

export type SortKey = "name" | "datasets" | "badges" | "onTime" | "overdue" | "inventory";

/** An agency whose figures are missing (its shard could not answer) sorts last either way. */
const MISSING = Number.NEGATIVE_INFINITY;

const sortValue: Record<Exclude<SortKey, "name">, (progress: Progress) => number> = {
  datasets: (progress) => progress.datasetsOnPlatform,
  badges: (progress) => progress.badgeDistribution.filter((badge) => badge.level !== "NONE").reduce((sum, badge) => sum + badge.count, 0),
  onTime: (progress) => progress.repliedWithinDeadlineShare ?? MISSING,
  overdue: (progress) => progress.overdueNow,
  inventory: (progress) => (progress.inventoryPlanned > 0 ? progress.inventoryOpened / progress.inventoryPlanned : MISSING),
};

/** Rows sorted by a column; "name" is the directory's order (the API's), and ties keep it. Missing figures go last. */
export function sortAgencies(rows: AgencyRow[], key: SortKey, descending: boolean): AgencyRow[] {
  const ranked = rows.map((row, position) => ({ row, position, value: key === "name" ? position : row.progress ? sortValue[key](row.progress) : MISSING }));
  return ranked
    .sort((a, b) => {
      if (a.value === MISSING || b.value === MISSING) return (a.value === MISSING ? 1 : 0) - (b.value === MISSING ? 1 : 0) || a.position - b.position;
      return (descending ? b.value - a.value : a.value - b.value) || a.position - b.position;
    })
    .map(({ row }) => row);
}
