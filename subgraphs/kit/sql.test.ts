import { identifier, isIn, joinSql, sql, SqlFragment } from "./sql";

test("values stay apart from the text, one placeholder each, and nested fragments bring their own values in order", () => {
  const agency = sql`agency_code = ${"MOJ"}`;
  const statement = sql`select * from ${identifier("dataset")} where ${agency} and issued < ${"2017-01-01"} limit ${21}`;
  expect(statement.text).toBe(`select * from "dataset" where agency_code = ? and issued < ? limit ?`);
  expect(statement.values).toEqual(["MOJ", "2017-01-01", 21]);
});

test("a value that looks like SQL is still a value", () => {
  const statement = sql`title = ${"x' or '1'='1"}`;
  expect(statement.text).toBe("title = ?");
  expect(statement.values).toEqual(["x' or '1'='1"]);
});

test("joined fragments keep their values in order", () => {
  const joined = joinSql([sql`a = ${1}`, sql`true`, sql`b = ${2}`], " and ");
  expect(joined).toEqual(new SqlFragment("a = ? and true and b = ?", [1, 2]));
});

test("a list of values is one value; no values is false, since SQL has no empty list", () => {
  expect(isIn(sql`state`, ["RECEIVED", "RETURNED"])).toEqual(new SqlFragment("state in (?)", [["RECEIVED", "RETURNED"]]));
  expect(isIn(sql`state`, [])).toEqual(new SqlFragment("false", []));
});

test("an identifier is quoted, its own quotes doubled", () => {
  expect(identifier('odd"name').text).toBe('"odd""name"');
});
