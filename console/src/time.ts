/**
 * Calendar days in Asia/Taipei, where deadlines and meeting days live, and
 * the ROC calendar the ministry writes years in (presentation only).
 */
import type { Lang } from "./i18n";

const taipeiDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei", year: "numeric", month: "2-digit", day: "2-digit" });

/** YYYY-MM-DD of an instant in Asia/Taipei. */
export function dayInTaipei(instant: Date): string {
  return taipeiDay.format(instant);
}

const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

/**
 * Whole Taipei days from today to a comment's last day to reply (its `lastReplyDay`, YYYY-MM-DD): 0 on that day,
 * negative once overdue. (Not from `replyDueAt`: that instant is the start of the next day.)
 */
export function daysLeft(lastReplyDay: string, now: Date): number {
  return dayNumber(lastReplyDay) - dayNumber(dayInTaipei(now));
}

/** 民國 year of an AD year. */
export function rocYear(year: number): number {
  return year - 1911;
}

/** A year with its 民國 year beside it, as the dashboard's table and chart show it: 2015 (民國104), or 2015 (ROC 104). */
export function formatYear(year: number, lang: Lang): string {
  return `${year} (${lang === "en" ? "ROC " : "民國"}${rocYear(year)})`;
}

/** A Taipei day shown as the ministry writes it, e.g. 107/3/16, or as ISO in English. */
export function formatDay(day: string, lang: Lang): string {
  if (lang === "en") return day;
  const [year, month, date] = day.split("-").map(Number);
  return `${rocYear(year)}/${month}/${date}`;
}

const PERIOD_UNITS: Record<string, string> = { 年: "year", 月: "month", 週: "week", 日: "day", 時: "hour", 分: "minute" };

/**
 * An update frequency as the platform spells it (每1年, 每3分, 不定期更新: catalogue/domain.ts), as it is in Chinese, in
 * words in English: "Every year", "Every 3 minutes", "Irregularly". A spelling it does not know is shown as it is.
 */
export function formatPeriodicity(periodicity: string, lang: Lang): string {
  if (lang !== "en") return periodicity;
  if (periodicity === "不定期更新") return "Irregularly";
  const match = /^每([1-9]\d*)(.)$/.exec(periodicity);
  const unit = match && PERIOD_UNITS[match[2]];
  if (!unit) return periodicity;
  return match[1] === "1" ? `Every ${unit}` : `Every ${match[1]} ${unit}s`;
}
