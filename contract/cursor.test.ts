import { compareSortKeys, compareUtf8, decodeCursor, encodeCursor, type SortKey } from "./cursor";

/** The order PostgreSQL's "C" collation gives: the strings' UTF-8 bytes. */
const byUtf8Bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
const sign = (n: number) => Math.sign(n);

describe("comparing key strings", () => {
  // ASCII, CJK, a character above the surrogates (U+FF21), and one beyond the BMP (U+20BB7, a surrogate pair in UTF-16).
  const strings = ["", "A", "a", "AB", "MOJ-1", "MOJ-10", "法務部", "法務", "Ａ", "𠮷", "𠮷a", "a𠮷", "aＡ", "\uffff", "2017-01-01", "2017-01-02"];

  test("orders every pair of them as their UTF-8 bytes", () => {
    const pairs = strings.flatMap((a) => strings.map((b) => [a, b]));
    const misordered = pairs.filter(([a, b]) => sign(compareUtf8(a, b)) !== sign(byUtf8Bytes(a, b)));
    expect(misordered).toEqual([]);
  });

  test("a character beyond the BMP sorts after U+FFFF, as in UTF-8, where UTF-16 code units put it before", () => {
    expect("𠮷" < "\uffff").toBe(true);
    expect(compareUtf8("𠮷", "\uffff")).toBeGreaterThan(0);
  });
});

describe("sort keys", () => {
  const key = (issued: string, identifier: string): SortKey => ({ order: "ISSUED_DESC", values: [issued, identifier], directions: ["desc", "asc"] });

  test("compare by each value in its direction", () => {
    expect(compareSortKeys(key("2017-01-02", "B"), key("2017-01-01", "A"))).toBeLessThan(0);
    expect(compareSortKeys(key("2017-01-01", "A"), key("2017-01-01", "B"))).toBeLessThan(0);
    expect(compareSortKeys(key("2017-01-01", "A"), key("2017-01-01", "A"))).toBe(0);
  });

  test("round-trip through their cursors, and a cursor of another order is bad input", () => {
    const cursor = encodeCursor(key("2017-01-01", "法務部-1"));
    expect(decodeCursor(cursor, "ISSUED_DESC")).toEqual(key("2017-01-01", "法務部-1"));
    expect(() => decodeCursor(cursor, "TITLE_ASC")).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) }));
  });
});
