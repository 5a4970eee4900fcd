/**
 * Personal data common in Taiwanese government files, as plain functions
 * over one cell's text (and, for dates of birth, over a file's columns).
 * Each rule is written to miss what merely looks alike: an ID number counts
 * only with a valid check digit, a phone number only in a phone number's
 * shape, an address only down to its house number (號).
 */

export const PersonalDataKind = {
  NATIONAL_ID: "NATIONAL_ID",
  RESIDENT_CERTIFICATE: "RESIDENT_CERTIFICATE",
  MOBILE_PHONE: "MOBILE_PHONE",
  LANDLINE_PHONE: "LANDLINE_PHONE",
  EMAIL: "EMAIL",
  STREET_ADDRESS: "STREET_ADDRESS",
  BIRTH_DATE: "BIRTH_DATE",
} as const;
export type PersonalDataKind = (typeof PersonalDataKind)[keyof typeof PersonalDataKind];

/**
 * The two digits each area letter of an ID number stands for (A 臺北市 = 10 …);
 * the letters of areas created later (I 嘉義市, O 新竹市, W 金門縣, Z 連江縣) come last, out of alphabetical order.
 */
const AREA_CODE: Record<string, number> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};

/**
 * The check: the area letter's two digits weigh 1 and 9, the second
 * character 8, the next seven digits 7…1 and the check digit 1; the sum
 * must be a multiple of 10. `second` is the second character's value
 * (a digit, or for an old resident certificate its letter's units digit).
 */
function checkSumValid(area: string, second: number, digits: string): boolean {
  const code = AREA_CODE[area];
  if (code === undefined) return false;
  let sum = Math.floor(code / 10) + (code % 10) * 9 + second * 8;
  for (let i = 0; i < 7; i += 1) sum += Number(digits[i]) * (7 - i);
  sum += Number(digits[7]);
  return sum % 10 === 0;
}

/** 中華民國國民身分證統一編號: an area letter, 1 (male) or 2 (female), eight digits, the last a check digit. */
export function isNationalId(text: string): boolean {
  const match = /^([A-Z])([12])(\d{8})$/.exec(text);
  return match !== null && checkSumValid(match[1], Number(match[2]), match[3]);
}

/**
 * 居留證統一證號 (resident certificates of foreigners and of nationals without household registration):
 * since 2021-01-02 an area letter, 8 (male) or 9 (female) and eight digits, checked like an ID number;
 * the old format (valid until 2031), still on many cards: an area letter, A–D, eight digits,
 * the second letter counting with the units digit of its area code.
 */
export function isResidentCertificate(text: string): boolean {
  const current = /^([A-Z])([89])(\d{8})$/.exec(text);
  if (current) return checkSumValid(current[1], Number(current[2]), current[3]);
  const old = /^([A-Z])([A-D])(\d{8})$/.exec(text);
  return old !== null && checkSumValid(old[1], AREA_CODE[old[2]] % 10, old[3]);
}

/** A candidate is a letter, then a digit or a letter A–D, then eight digits, not inside a longer word. */
const ID_CANDIDATE = /(?<![A-Za-z0-9])[A-Z][0-9A-D]\d{8}(?![A-Za-z0-9])/g;
/** 09xx-xxx-xxx, with or without hyphens or spaces, or the same after +886 without the leading 0. */
const MOBILE = /(?<![\d+])(?:09\d{2}|\+886[- ]?9\d{2})[- ]?\d{3}[- ]?\d{3}(?!\d)/g;
/**
 * A landline: an area code (02–08, 037, 049, 082, 0826, 0836, 089…) in
 * parentheses or followed by a hyphen or space, then 5–8 digits with an
 * optional hyphen; or +886 and the code without its 0. A bare run of digits
 * is not taken for one: it is more often a count or a serial number.
 */
const LANDLINE = /(?<![\d+])(?:\(0[2-8]\d{0,3}\)\s?|0[2-8]\d{0,3}[- ]|\+886[- ]?[2-8]\d{0,3}[- ])\d{3,4}-?\d{3,4}(?:#\d{1,5})?(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const NUMERAL = "[0-9０-９一二三四五六七八九十百零〇]";
/**
 * A street address down to its house number: a road (路, 街, 大道), an
 * optional section (段), lane (巷) and alley (弄), then a number and 號.
 * A road alone (中山路), or a 號 without a road (第3號公告), is not an address.
 */
const STREET_ADDRESS = new RegExp(
  `[\\u4e00-\\u9fff]{1,10}(?:路|街|大道)(?:${NUMERAL}{1,3}段)?(?:${NUMERAL}{1,4}巷)?(?:${NUMERAL}{1,4}弄)?${NUMERAL}{1,5}(?:之${NUMERAL}{1,3})?號`,
  "g",
);

export interface Match {
  kind: PersonalDataKind;
  text: string;
}

/** Every piece of personal data in one cell's text. */
export function findPersonalData(text: string): Match[] {
  // Every kind holds a digit, an @ or a 號: most cells of a file are skipped at this one test.
  if (text.length < 5 || !/[0-9@號]/.test(text)) return [];
  const found: Match[] = [];
  for (const candidate of text.match(ID_CANDIDATE) ?? []) {
    if (isNationalId(candidate)) found.push({ kind: PersonalDataKind.NATIONAL_ID, text: candidate });
    else if (isResidentCertificate(candidate)) found.push({ kind: PersonalDataKind.RESIDENT_CERTIFICATE, text: candidate });
  }
  for (const [kind, pattern] of [
    [PersonalDataKind.MOBILE_PHONE, MOBILE],
    [PersonalDataKind.LANDLINE_PHONE, LANDLINE],
    [PersonalDataKind.EMAIL, EMAIL],
    [PersonalDataKind.STREET_ADDRESS, STREET_ADDRESS],
  ] as const) {
    for (const hit of text.match(pattern) ?? []) found.push({ kind, text: hit });
  }
  return found;
}

/**
 * A calendar day as people write one: 1985-03-02, 1985/3/2, 19850302,
 * 民國74年3月2日, 74/03/02 or 074.03.02 (ROC years). Counts, years alone and
 * amounts are not days.
 */
export function isCalendarDay(text: string): boolean {
  const value = text.trim();
  const match =
    /^(?:民國)?(\d{2,4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(value) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const adYear = year < 1000 ? year + 1911 : year;
  return adYear >= 1900 && adYear <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * A column that names people: 姓名, 受刑人, 申請人, name… (not 機關名稱 or
 * 資料集名稱, which name things, nor 收容人數, a count of people).
 */
export function isPersonNameColumn(header: string): boolean {
  const name = header.trim().toLowerCase();
  return /姓名|名字|^(受刑人|收容人|當事人|申請人|被告|聯絡人)$|^(full[ _]?)?name$|^(first|last)[ _]?name$/.test(name);
}

/** A column whose name says it holds birthdays. */
export function isBirthColumn(header: string): boolean {
  return /出生|生日|birth|^dob$/i.test(header.trim());
}

/** What the scan knows of one column at the end: its place, its name, how many values and how many of them were days. */
export interface ColumnProfile {
  position: number;
  name: string;
  values: number;
  days: number;
}

/** A column of days whose values are mostly (this share) days. */
const DAY_COLUMN_SHARE = 0.8;

/**
 * Dates of birth next to names: in a file with a column naming people, a
 * column of days that says it holds birthdays, or that stands right beside
 * the name column. A file of days without names (開庭日期, 件數) holds none.
 */
export function birthDateColumns(columns: readonly ColumnProfile[]): ColumnProfile[] {
  const names = columns.filter((column) => isPersonNameColumn(column.name));
  if (names.length === 0) return [];
  return columns.filter(
    (column) =>
      column.values > 0 &&
      column.days / column.values >= DAY_COLUMN_SHARE &&
      (isBirthColumn(column.name) || names.some((name) => Math.abs(name.position - column.position) === 1)),
  );
}

/** A sample that shows the shape of what was found, never the person: most characters replaced by *. */
export function mask(kind: PersonalDataKind, text: string): string {
  switch (kind) {
    case PersonalDataKind.NATIONAL_ID:
    case PersonalDataKind.RESIDENT_CERTIFICATE:
      return `${text.slice(0, 2)}******${text.slice(-2)}`;
    case PersonalDataKind.EMAIL: {
      const at = text.indexOf("@");
      return `${text[0]}***${text.slice(at)}`;
    }
    case PersonalDataKind.MOBILE_PHONE:
    case PersonalDataKind.LANDLINE_PHONE: {
      // The area code or the mobile prefix and the last two digits stay.
      const total = text.replace(/\D/g, "").length;
      let seen = 0;
      return text.replace(/\d/g, (digit) => (++seen <= 4 || seen > total - 2 ? digit : "*"));
    }
    case PersonalDataKind.BIRTH_DATE: {
      // The year stays (8-digit days keep their first four); month and day do not.
      const year = /^\D*\d{4}|^\D*\d{2,3}(?=\D)/.exec(text)?.[0] ?? "";
      return year + text.slice(year.length).replace(/\d/g, "*");
    }
    case PersonalDataKind.STREET_ADDRESS:
      return text.replace(new RegExp(NUMERAL, "g"), "*");
  }
}
