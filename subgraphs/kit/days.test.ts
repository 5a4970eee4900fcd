import { assertDayRange } from "./day-range";

test("a range of days may be open at either end or one day long; reversed, it is refused on to", () => {
  expect(() => assertDayRange("2018-01-01", "2018-01-01")).not.toThrow();
  expect(() => assertDayRange(undefined, "2018-01-01")).not.toThrow();
  expect(() => assertDayRange("2019-01-01", undefined)).not.toThrow();
  try {
    assertDayRange("2019-01-01", "2018-01-01");
    throw new Error("not refused");
  } catch (error) {
    expect((error as { extensions?: unknown }).extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "to", reason: "must be on or after from (2019-01-01)" }] });
  }
});
