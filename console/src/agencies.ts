/** The agency directory the platform uses (schema/agencies.json), bundled: no request needed to name an agency. */
import directory from "../../schema/agencies.json";
import type { Lang } from "./i18n";

export interface AgencyEntry {
  code: string;
  name: string;
  nameEn: string;
}

export const AGENCIES = (directory as { agencies: AgencyEntry[] }).agencies;

export function agencyName(code: string | null | undefined, lang: Lang): string {
  const agency = AGENCIES.find((entry) => entry.code === code);
  return agency ? (lang === "en" ? agency.nameEn : agency.name) : (code ?? "");
}
