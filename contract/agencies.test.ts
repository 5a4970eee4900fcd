import { AGENCY_CODES, unknownAgencyCodes } from "./agencies";

test("a list of the directory's codes has no problem; codes outside it are named in one problem, with the directory's", () => {
  const directory = AGENCY_CODES.join(", ");
  expect(unknownAgencyCodes(["MOJ", "ACA"], "codes")).toEqual([]);
  expect(unknownAgencyCodes(undefined, "codes")).toEqual([]);
  expect(unknownAgencyCodes(["moj"], "codes")).toEqual([{ path: "codes", reason: `"moj" is not the code of an agency in the directory (${directory})` }]);
  expect(unknownAgencyCodes(["MOJ", "XX", "A41000000G"], "agencyCodes")).toEqual([
    { path: "agencyCodes", reason: `"XX", "A41000000G" are not codes of agencies in the directory (${directory})` },
  ]);
});
