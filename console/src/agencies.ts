/** The platform's agency directory (contract/agencies.ts), bundled: no request needed to name an agency. */
import { agencyByCode } from "../../contract/agencies";
import type { Lang } from "./i18n";

export { AGENCIES } from "../../contract/agencies";

export function agencyName(code: string | null | undefined, lang: Lang): string {
  const agency = code ? agencyByCode(code) : undefined;
  return agency ? (lang === "en" ? agency.nameEn : agency.name) : (code ?? "");
}
