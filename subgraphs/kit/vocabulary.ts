/**
 * Words of the domain that more than one subgraph speaks: the catalogue
 * decides them, metrics counts by them. Each is declared and registered as a
 * GraphQL enum once, here, so both subgraphs' schemas carry the same type;
 * a resource's format is spelled the platform's way once, here, for the
 * catalogue's writes and for both lists' format filter.
 */
import { registerEnumType } from "type-graphql";

/** Quality badges (資料集品質檢測標章), highest first; NONE when a dataset earns none. */
export const BADGE_LEVELS = ["PLATINUM", "GOLD", "SILVER", "BRONZE"] as const;
export type BadgeLevel = (typeof BADGE_LEVELS)[number] | "NONE";
export const BadgeLevelEnum = Object.fromEntries([...BADGE_LEVELS, "NONE"].map((level) => [level, level])) as Record<BadgeLevel, BadgeLevel>;
registerEnumType(BadgeLevelEnum, { name: "BadgeLevel", description: "Quality badge: PLATINUM 白金, GOLD 金, SILVER 銀, BRONZE 銅, NONE 無." });

/** Why an openable holding is opened first (the strategy's order: law, then duty, then demand). */
export enum PriorityBasis {
  REQUIRED_BY_LAW = "REQUIRED_BY_LAW",
  STATUTORY_DUTY = "STATUTORY_DUTY",
  PUBLIC_DEMAND = "PUBLIC_DEMAND",
}
registerEnumType(PriorityBasis, { name: "PriorityBasis", description: "Required by law; produced by statutory duty with no legal restriction; high public demand." });

/** Formats in capitals without a leading dot (csv, .CSV, ＣＳＶ → CSV), and the standard's name for a few (JSONLD → JSON-LD). */
export function canonicalFormat(text: string): string {
  const upper = text.normalize("NFKC").trim().replace(/^\./, "").replace(/檔$/, "").toUpperCase();
  return ({ JSONLD: "JSON-LD", "GEO-JSON": "GEOJSON", "GEO JSON": "GEOJSON" } as Record<string, string>)[upper] ?? upper;
}
