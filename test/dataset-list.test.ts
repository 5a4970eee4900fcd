/**
 * The national platform's dataset list in and out of a catalogue shard, with
 * the real CLI on a real database: bad rows reported by line while good rows
 * land, re-import idempotent, export reproducing the imported rows.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { stringify } from "csv-stringify/sync";
import { PLATFORM_COLUMNS, readPlatformCsv } from "../subgraphs/catalogue/platform-csv";
import { projectRoot } from "../contract/config";
import { databaseName, databaseUrl, dropDatabases } from "../subgraphs/kit/database";

const run = promisify(execFile);
const serverUrl = () => process.env.DATABASE_URL!;
const prefix = `l${randomBytes(4).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "govgraph-list-"));

afterAll(async () => {
  await dropDatabases(serverUrl(), prefix);
});

function row(values: Partial<Record<(typeof PLATFORM_COLUMNS)[number], string>>): string[] {
  const defaults: Record<string, string> = {
    資料提供屬性: "原始資料",
    服務分類: "公共資訊",
    品質檢測: "金質",
    資資料集上架方式: "介接",
    資料集描述: "描述",
    主要欄位說明: "年度(民國年);件數(件)",
    提供機關: "法務部矯正署",
    更新頻率: "每1年",
    授權方式: "政府資料開放授權條款-第1版",
    相關網址: "",
    計費方式: "免費",
    提供機關聯絡人姓名: "王小明",
    提供機關聯絡人電話: "02-1234-5678",
    上架日期: "2015-06-01",
    詮釋資料更新時間: "2018-03-16 10:20:30",
    備註: "",
    資料量: "",
  };
  return PLATFORM_COLUMNS.map((column) => values[column] ?? defaults[column] ?? "");
}

const good = [
  row({ 資料集識別碼: "ACA-L-0001", 資料集名稱: "矯正機關收容人數", 檔案格式: "CSV", 資料下載網址: "https://example.gov.tw/1.csv", 編碼格式: "UTF-8", 資料量: "1200" }),
  row({
    資料集識別碼: "ACA-L-0002",
    資料集名稱: "受刑人入監, 出監人數",
    資料集描述: "第一行\n第二行，含逗號, 與 \"引號\"",
    檔案格式: "CSV;JSON",
    資料下載網址: "https://example.gov.tw/2.csv;https://example.gov.tw/2.json",
    編碼格式: "BIG-5;UTF-8",
    資料量: "30;30",
  }),
  row({ 資料集識別碼: "ACA-L-0003", 資料集名稱: "戒治所受戒治人", 檔案格式: "XML", 資料下載網址: "https://example.gov.tw/3.xml", 編碼格式: "UTF-8", 備註: "按月更新" }),
];
const bad = [
  row({ 資料集識別碼: "ACA-L-0004", 資料集名稱: "錯誤分類", 服務分類: "不存在的分類", 檔案格式: "CSV", 資料下載網址: "https://example.gov.tw/4.csv", 編碼格式: "UTF-8" }),
  row({ 資料集識別碼: "ACA-L-0005", 資料集名稱: "資源數不符", 檔案格式: "CSV;JSON", 資料下載網址: "https://example.gov.tw/5.csv", 編碼格式: "UTF-8" }),
];
// Line 1 is the header, line 2 the first row; the second row spans lines 3–4 (a line break inside a quoted cell).
const lines = { bad1: 5, bad2: 7 };
const csv = "\uFEFF" + stringify([[...PLATFORM_COLUMNS], good[0], good[1], bad[0], good[2], bad[1]]);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(projectRoot, "dist", "scripts", "catalogue.js"), ...args], {
      env: { ...process.env, GOVGRAPH_DB_PREFIX: prefix },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function count(table: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl(serverUrl(), databaseName("catalogue", "ACA", prefix)) });
  await client.connect();
  const { rows } = await client.query<{ count: string }>(`select count(*) from ${table}`);
  await client.end();
  return Number(rows[0].count);
}

test("import lands the good rows, reports each bad row by line, and is idempotent; export reproduces the rows", async () => {
  const file = join(dir, "list.csv");
  writeFileSync(file, csv);

  const first = await cli("import", "--agency", "ACA", file);
  expect(first.code).toBe(1);
  expect(first.stderr).toMatch(new RegExp(`line ${lines.bad1}: category: must be one of the 18 service categories`));
  expect(first.stderr).toMatch(new RegExp(`line ${lines.bad2}: 檔案格式, 資料下載網址, 編碼格式 and 資料量 list 2, 1, 1 and 0 resources`));
  expect(first.stderr).toContain("5 rows");
  expect(first.stderr).toContain("3 created, 0 updated, 2 rejected");
  expect(await count("dataset")).toBe(3);
  expect(await count("resource")).toBe(4);

  const again = await cli("import", "--agency", "ACA", file);
  expect(again.stderr).toContain("0 created, 3 updated, 2 rejected");
  expect(await count("dataset")).toBe(3);
  expect(await count("resource")).toBe(4);

  const exported = await cli("export", "--agency", "ACA");
  expect(exported.code).toBe(0);
  expect(exported.stdout.startsWith("\uFEFF")).toBe(true);
  expect(readPlatformCsv(exported.stdout).map((r) => r.cells)).toEqual(good);
}, 60_000);

test("a file without the platform's header is refused before anything is written", async () => {
  const file = join(dir, "wrong.csv");
  writeFileSync(file, "identifier,title\nX,Y\n");
  const result = await cli("import", "--agency", "ACA", file);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("The first line must be the platform's 22-column header");
});

/**
 * Spellings seen in real agencies' lists: every one is read, stored and
 * exported in the platform's spelling; only a value no spelling explains is
 * reported.
 */
const realSpellings: { spelled: Partial<Record<(typeof PLATFORM_COLUMNS)[number], string>>; exported: Partial<Record<(typeof PLATFORM_COLUMNS)[number], string>> }[] = [
  { spelled: { 編碼格式: "BIG5" }, exported: { 編碼格式: "BIG-5" } },
  { spelled: { 編碼格式: "Big5" }, exported: { 編碼格式: "BIG-5" } },
  { spelled: { 編碼格式: "big5" }, exported: { 編碼格式: "BIG-5" } },
  { spelled: { 編碼格式: "UTF8" }, exported: { 編碼格式: "UTF-8" } },
  { spelled: { 編碼格式: "utf-8" }, exported: { 編碼格式: "UTF-8" } },
  { spelled: { 編碼格式: "CP950" }, exported: { 編碼格式: "BIG-5" } },
  { spelled: { 檔案格式: "csv;json", 資料下載網址: "https://example.gov.tw/r.csv;https://example.gov.tw/r.json", 編碼格式: "BIG5;UTF8" }, exported: { 檔案格式: "CSV;JSON", 資料下載網址: "https://example.gov.tw/r.csv;https://example.gov.tw/r.json", 編碼格式: "BIG-5;UTF-8" } },
  { spelled: { 檔案格式: ".CSV" }, exported: { 檔案格式: "CSV" } },
  { spelled: { 檔案格式: "ＸＭＬ" }, exported: { 檔案格式: "XML" } },
  { spelled: { 更新頻率: "每月" }, exported: { 更新頻率: "每1月" } },
  { spelled: { 更新頻率: "每季" }, exported: { 更新頻率: "每3月" } },
  { spelled: { 更新頻率: "每半年" }, exported: { 更新頻率: "每6月" } },
  { spelled: { 更新頻率: "每年" }, exported: { 更新頻率: "每1年" } },
  { spelled: { 更新頻率: "不定期" }, exported: { 更新頻率: "不定期更新" } },
  { spelled: { 更新頻率: "每 1 日" }, exported: { 更新頻率: "每1日" } },
  { spelled: { 更新頻率: "每周" }, exported: { 更新頻率: "每1週" } },
];

test("a list with real-world spellings of encodings, formats and frequencies lands whole, and exports in the platform's spelling", async () => {
  const base = { 檔案格式: "CSV", 資料下載網址: "https://example.gov.tw/a.csv", 編碼格式: "UTF-8", 更新頻率: "每1年" };
  const identifier = (i: number) => `MOJ-R-${String(i + 1).padStart(4, "0")}`;
  const rows = realSpellings.map(({ spelled }, i) => row({ 資料集識別碼: identifier(i), 資料集名稱: `實際拼法 ${i + 1}`, ...base, ...spelled }));
  const reallyWrong = row({ 資料集識別碼: "MOJ-R-9999", 資料集名稱: "無法辨識的編碼", ...base, 編碼格式: "ISO-8859-1" });
  const file = join(dir, "real-spellings.csv");
  writeFileSync(file, "\uFEFF" + stringify([[...PLATFORM_COLUMNS], ...rows, reallyWrong]));

  const imported = await cli("import", "--agency", "MOJ", file);
  expect(imported.stderr).toContain(`${realSpellings.length} created, 0 updated, 1 rejected`);
  expect(imported.stderr).toMatch(new RegExp(`line ${realSpellings.length + 2}: resources\\.0\\.encoding: must be UTF-8 or BIG-5`));

  const exported = await cli("export", "--agency", "MOJ");
  expect(exported.code).toBe(0);
  const expected = realSpellings.map(({ exported: spelled }, i) => row({ 資料集識別碼: identifier(i), 資料集名稱: `實際拼法 ${i + 1}`, ...base, ...spelled }));
  expect(readPlatformCsv(exported.stdout).map((r) => r.cells)).toEqual(expected);
}, 60_000);
