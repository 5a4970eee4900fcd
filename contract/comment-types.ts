/**
 * The kinds of public comment (意見類型) the console offers a commenter and
 * the seed writes, spelled as data.gov.tw spells them, each with the English
 * name the console shows. The API takes any short text as a comment's type
 * (the platform may name new kinds), so this is the offered list, not a rule.
 */
export const COMMENT_TYPE_NAMES_EN = {
  資源資料編碼錯誤: "Resource encoding is wrong",
  資料集提供機關聯絡資訊異常回報: "Agency contact details are wrong",
  資料內容有誤: "Data content is wrong",
  資料下載連結失效: "Download link is broken",
  建議增加欄位: "Please add fields",
} as const;

export type CommentType = keyof typeof COMMENT_TYPE_NAMES_EN;

export const COMMENT_TYPES = Object.keys(COMMENT_TYPE_NAMES_EN) as CommentType[];
