/**
 * The platform's own words, bundled: a service category
 * (contract/service-categories.ts) and a comment's type
 * (contract/comment-types.ts), as the platform spells them, named in English.
 */
import { COMMENT_TYPE_NAMES_EN } from "../../contract/comment-types";
import { SERVICE_CATEGORY_NAMES_EN } from "../../contract/service-categories";
import type { Lang } from "./i18n";

/** A word the console does not know is shown as sent. */
const inEnglish =
  (names: Readonly<Record<string, string>>) =>
  (word: string, lang: Lang): string =>
    lang === "en" && Object.hasOwn(names, word) ? names[word] : word;

export const categoryName = inEnglish(SERVICE_CATEGORY_NAMES_EN);
export const commentTypeName = inEnglish(COMMENT_TYPE_NAMES_EN);
