/** A dataset's service category (contract/service-categories.ts), bundled: as the platform spells it, named in English. */
import { isServiceCategory, SERVICE_CATEGORY_NAMES_EN } from "../../contract/service-categories";
import type { Lang } from "./i18n";

/** A category the console does not know is shown as sent. */
export function categoryName(category: string, lang: Lang): string {
  return lang === "en" && isServiceCategory(category) ? SERVICE_CATEGORY_NAMES_EN[category] : category;
}
