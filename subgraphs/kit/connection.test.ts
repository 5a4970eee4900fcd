import type { GraphQLError } from "graphql";
import { checkPageSize, MAX_PAGE_SIZE } from "./connection";
import { decodeCursor, encodeCursor, type SortKey } from "../../contract/cursor";

interface Row {
  agencyCode?: string;
  issued: string;
  identifier: string;
}

const keyOf = (row: Row): SortKey => ({ order: "PUBLISHED_DESC", values: [row.issued, row.identifier], directions: ["desc", "asc"] });

describe("cursors", () => {
  test("a cursor decodes to the position it was made from, national identifiers and Chinese text included", () => {
    const key: SortKey = { order: "PUBLISHED_DESC", values: ["2015-06-01", "A41000000G-000001", "法務統計年報", 3], directions: ["desc", "asc", "asc", "asc"] };
    expect(decodeCursor(encodeCursor(key), "PUBLISHED_DESC")).toEqual(key);
  });

  test.each(["garbage", "", encodeCursor(keyOf({ issued: "2015-01-01", identifier: "x" })).slice(0, 10), Buffer.from('{"o":"PUBLISHED_DESC","v":[1],"d":[]}').toString("base64url")])(
    "a cursor this list did not issue (%p) is BAD_USER_INPUT at `after`",
    (cursor) => {
      let error: GraphQLError | undefined;
      try {
        decodeCursor(cursor, "PUBLISHED_DESC");
      } catch (e) {
        error = e as GraphQLError;
      }
      expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: [{ path: "after" }] });
    },
  );

  test("a cursor issued for another order is BAD_USER_INPUT", () => {
    const cursor = encodeCursor({ order: "TITLE_ASC", values: ["a"], directions: ["asc"] });
    expect(() => decodeCursor(cursor, "PUBLISHED_DESC")).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }));
  });
});

describe("page sizes", () => {
  test("from 0 to the maximum are accepted; negative, fractional or larger ones are BAD_USER_INPUT at `first`", () => {
    expect(() => checkPageSize(0)).not.toThrow();
    expect(() => checkPageSize(MAX_PAGE_SIZE)).not.toThrow();
    for (const first of [-1, 2.5, MAX_PAGE_SIZE + 1]) {
      expect(() => checkPageSize(first)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", fields: [expect.objectContaining({ path: "first" })] }) }));
    }
  });
});
