/**
 * Scalars every subgraph uses. Instants are `DateTime` (ISO-8601, UTC);
 * calendar dates (deadlines, meeting days, publication days) are `Date`
 * (YYYY-MM-DD, meaning the day in Asia/Taipei) and travel as strings so no
 * time zone can shift them.
 */
import { GraphQLScalarType, Kind } from "graphql";

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The days of `month` (1–12) in `year`, by the Gregorian rule. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The number written by the digits of `value` from `start` to `end`. */
function digitsAt(value: string, start: number, end: number): number {
  let number = 0;
  for (let i = start; i < end; i++) number = number * 10 + value.charCodeAt(i) - 48;
  return number;
}

/** Checked on every date a page serializes (twenty a page): by arithmetic, where splitting it and building a Date cost 2 % of a shard's page. */
export function parseCalendarDate(value: unknown): string {
  if (typeof value !== "string" || !DATE_PATTERN.test(value)) {
    throw new TypeError(`Date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  const month = digitsAt(value, 5, 7);
  const day = digitsAt(value, 8, 10);
  const year = digitsAt(value, 0, 4);
  // The Gregorian calendar has no year 0 (1 BC is followed by AD 1), and PostgreSQL refuses it.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new TypeError(`${value} is not a day of the calendar`);
  return value;
}

export const CalendarDate = new GraphQLScalarType<string, string>({
  name: "Date",
  description: "A calendar day, YYYY-MM-DD, in Asia/Taipei.",
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : parseCalendarDate(value)),
  parseValue: parseCalendarDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError("Date must be a string YYYY-MM-DD");
    return parseCalendarDate(ast.value);
  },
});

export const DAY_MS = 24 * 60 * 60 * 1000;

const formats = new Map<string, Intl.DateTimeFormat>();

/** A date formatter, built once per locale and options: building one costs far more than formatting (it was a tenth of a progress answer's CPU). */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) formats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

/** Taiwan last observed daylight saving time in 1979; since 1 October 1979 its clocks are UTC+8 all year. */
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const TAIPEI_FIXED_OFFSET_SINCE = Date.UTC(1979, 9, 1) - TAIPEI_OFFSET_MS;

/**
 * The calendar day in Asia/Taipei (or `timeZone`) of an instant. Asked on
 * every progress answer: Taipei's fixed offset makes it arithmetic, where
 * Intl formatting cost a tenth of a cached answer's CPU; other zones and
 * earlier instants ask Intl.
 */
export function taipeiDate(instant: Date, timeZone = "Asia/Taipei"): string {
  const time = instant.getTime();
  if (timeZone === "Asia/Taipei" && time >= TAIPEI_FIXED_OFFSET_SINCE) return new Date(time + TAIPEI_OFFSET_MS).toISOString().slice(0, 10);
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}
