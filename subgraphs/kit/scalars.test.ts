import { Kind } from "graphql";
import { CalendarDate, taipeiDate } from "./scalars";

describe("the Date scalar: a calendar day YYYY-MM-DD", () => {
  test.each(["2024-02-29", "2026-01-31", "2000-02-29", "0001-01-01"])("accepts the day %s as it is", (day) => {
    expect(CalendarDate.parseValue(day)).toBe(day);
    expect(CalendarDate.parseLiteral({ kind: Kind.STRING, value: day })).toBe(day);
    expect(CalendarDate.serialize(day)).toBe(day);
  });

  test.each([
    ["a Feb 29 outside a leap year", "2023-02-29"],
    ["Feb 29 of a century year that is not a leap year", "1900-02-29"],
    ["a 31st of a 30-day month", "2026-04-31"],
    ["a 13th month", "2026-13-01"],
    ["a month 00", "2026-00-10"],
    ["a day 00", "2026-01-00"],
    ["a 32nd", "2026-01-32"],
    ["a day without leading zeros", "2024-2-1"],
    ["an instant", "2024-02-01T00:00:00Z"],
    ["a year 0000, which the calendar does not have", "0000-01-01"],
  ])("refuses %s (%s)", (_, value) => {
    expect(() => CalendarDate.parseValue(value)).toThrow();
    expect(() => CalendarDate.parseLiteral({ kind: Kind.STRING, value })).toThrow();
    expect(() => CalendarDate.serialize(value)).toThrow();
  });

  test("accepts exactly the days the calendar has, every day from 1896 to 2104 and a day past each month's last", () => {
    const accepted: string[] = [];
    const calendar: string[] = [];
    for (let year = 1896; year <= 2104; year++) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 32; day++) {
          const value = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          const probe = new Date(Date.UTC(year, month - 1, day));
          if (probe.getUTCMonth() === month - 1) calendar.push(value);
          try {
            accepted.push(CalendarDate.parseValue(value));
          } catch {
            // refused
          }
        }
      }
    }
    expect(accepted).toEqual(calendar);
  });

  test("refuses values that are not strings", () => {
    expect(() => CalendarDate.parseValue(20240229)).toThrow();
    expect(() => CalendarDate.parseLiteral({ kind: Kind.INT, value: "20240229" })).toThrow();
  });
});

describe("the calendar day of an instant in Asia/Taipei (UTC+8)", () => {
  test("16:00 UTC is already the next day in Taipei", () => {
    expect(taipeiDate(new Date("2026-01-31T16:00:00Z"))).toBe("2026-02-01");
    expect(taipeiDate(new Date("2026-01-31T15:59:59.999Z"))).toBe("2026-01-31");
  });

  test("across a year end", () => {
    expect(taipeiDate(new Date("2026-12-31T16:00:00Z"))).toBe("2027-01-01");
  });

  test("the same day as the time zone database gives, at every hour from 1979 to 2040 and around each midnight", () => {
    const tzdb = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Taipei", year: "numeric", month: "2-digit", day: "2-digit" });
    const instants: number[] = [];
    for (let time = Date.UTC(1979, 0, 1); time < Date.UTC(2040, 0, 1); time += 7 * 60 * 60 * 1000 + 60 * 1000) instants.push(time);
    for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += 24 * 60 * 60 * 1000) instants.push(day + 16 * 60 * 60 * 1000 - 1, day + 16 * 60 * 60 * 1000);
    const differing = instants.filter((time) => taipeiDate(new Date(time)) !== tzdb.format(new Date(time)));
    expect(differing.map((time) => new Date(time).toISOString())).toEqual([]);
  });

  test("another zone can be asked for", () => {
    expect(taipeiDate(new Date("2026-01-31T16:00:00Z"), "UTC")).toBe("2026-01-31");
  });
});
