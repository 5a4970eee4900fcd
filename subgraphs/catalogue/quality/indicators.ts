/**
 * The seven indicators of the quality check (資料集品質檢測, ../shared/design/DOMAIN.md) and
 * the badge they earn, as plain functions over what a check observed.
 *
 * Which indicators earn which badge is not published; the default mapping
 * below is GovGraph's, and GOVGRAPH_BADGE_RULES can replace it (a JSON
 * object from level to the indicators it requires, e.g.
 * {"PLATINUM":["linkValidity",…],…}). The highest level whose indicators
 * all hold wins. A dataset's result is the intersection of its resources'.
 */

import { canonicalEncoding } from "../domain";

import { BADGE_LEVELS, type BadgeLevel } from "../../kit/vocabulary";

export const INDICATORS = ["linkValidity", "directDownload", "structuredFormat", "encodingMatch", "fieldsMatch", "timeliness", "replyEfficiency"] as const;
export type Indicator = (typeof INDICATORS)[number];
/** true, false, or null when it could not be judged (e.g. no file to read). */
export type Indicators = Record<Indicator, boolean | null>;


/** The indicators each badge level requires. */
export type BadgeRules = Record<(typeof BADGE_LEVELS)[number], Indicator[]>;

export const DEFAULT_BADGE_RULES: BadgeRules = {
  PLATINUM: [...INDICATORS],
  GOLD: ["linkValidity", "directDownload", "structuredFormat", "encodingMatch", "fieldsMatch", "timeliness"],
  SILVER: ["linkValidity", "directDownload", "structuredFormat", "encodingMatch"],
  BRONZE: ["linkValidity", "directDownload"],
};

/** GOVGRAPH_BADGE_RULES, checked at start. */
export function parseBadgeRules(json: string): BadgeRules {
  const rules = JSON.parse(json) as Record<string, unknown>;
  for (const level of BADGE_LEVELS) {
    const required = rules[level];
    if (!Array.isArray(required) || !required.every((indicator) => (INDICATORS as readonly unknown[]).includes(indicator))) {
      throw new Error(`GOVGRAPH_BADGE_RULES: ${level} must list indicators among ${INDICATORS.join(", ")}`);
    }
  }
  return rules as BadgeRules;
}

export function badgeLevel(indicators: Indicators, rules: BadgeRules): BadgeLevel {
  return BADGE_LEVELS.find((level) => rules[level].every((indicator) => indicators[indicator] === true)) ?? "NONE";
}

/** A dataset's indicators: each holds only if it holds for every resource (null when none could judge it). */
export function intersect(resources: readonly Indicators[]): Indicators {
  return Object.fromEntries(
    INDICATORS.map((indicator) => {
      const judged = resources.map((r) => r[indicator]).filter((value) => value !== null);
      return [indicator, judged.length === 0 ? null : judged.every(Boolean)];
    }),
  ) as Indicators;
}

/** Structured, machine-readable formats (3 stars and up on the 5-star scale). */
const STRUCTURED = new Set(["CSV", "JSON", "XML", "ODS", "GEOJSON", "KML", "RDF", "TTL", "JSON-LD", "JSONLD"]);

export function isStructuredFormat(format: string): boolean {
  return STRUCTURED.has(format.trim().toUpperCase());
}

/** The encoding bytes are in: UTF-8 when they decode as UTF-8 (plain ASCII included), else BIG-5 when they decode as Big5. */
export function detectEncoding(bytes: Uint8Array): "UTF-8" | "BIG-5" | "UNKNOWN" {
  for (const [label, name] of [["utf-8", "UTF-8"], ["big5", "BIG-5"]] as const) {
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes);
      return name;
    } catch {
      // try the next
    }
  }
  return "UNKNOWN";
}

/** A file cut at a byte limit may end inside a character: judge the bytes up to the last line break. */
export function completeLines(bytes: Uint8Array): Uint8Array {
  const end = bytes.lastIndexOf(0x0a);
  return end > 0 ? bytes.subarray(0, end + 1) : bytes;
}

export function encodingMatches(declared: string, bytes: Uint8Array): boolean {
  const actual = detectEncoding(completeLines(bytes));
  return actual === canonicalEncoding(declared) || (isAscii(bytes) && actual === "UTF-8");
}

function isAscii(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte < 0x80);
}

/** The column names of a CSV file's first line, decoded with its declared encoding. */
export function csvHeader(bytes: Uint8Array, encoding: string): string[] {
  const label = canonicalEncoding(encoding) === "BIG-5" ? "big5" : "utf-8";
  const text = new TextDecoder(label).decode(bytes).replace(/^\uFEFF/, "");
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  return firstLine.split(",").map((cell) => cell.trim().replace(/^"|"$/g, ""));
}

/** Field names from 主要欄位說明: `Name(說明);Name(說明)` or names separated by 、. */
export function declaredFieldNames(fieldDescription: string): string[] {
  return fieldDescription
    .split(/[;；、]/)
    .map((part) => part.replace(/[(（].*$/, "").trim())
    .filter(Boolean);
}

/** Every declared field is a column of the file (order and extra columns do not matter). */
export function fieldsMatch(declared: readonly string[], header: readonly string[]): boolean {
  return declared.length > 0 && declared.every((name) => header.includes(name));
}

const UNIT_MS: Record<string, number> = { 年: 366 * 86_400_000, 月: 31 * 86_400_000, 週: 7 * 86_400_000, 日: 86_400_000, 時: 3_600_000, 分: 60_000 };

/**
 * Updated as often as declared: the last update is no older than the declared
 * period, with a grace of one more period. Irregular updates are always timely.
 */
export function isTimely(modified: Date, accrualPeriodicity: string, now: Date): boolean {
  const match = /^每([1-9]\d*)(年|月|週|日|時|分)$/.exec(accrualPeriodicity);
  if (!match) return true;
  const period = Number(match[1]) * UNIT_MS[match[2]];
  return now.getTime() - modified.getTime() <= 2 * period;
}

/** Reply efficiency from the agency's feedback record: every answered comment answered in time, none overdue now. */
export function repliesEfficient(stats: { answered: number; answeredOnTime: number; overdue: number } | null): boolean | null {
  if (!stats) return null;
  return stats.overdue === 0 && stats.answeredOnTime === stats.answered;
}
