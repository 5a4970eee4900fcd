import iconv from "iconv-lite";
import { scanStructured } from "./scan";

/** The file in chunks of `size` bytes, so characters and records are split across chunks as on the wire. */
async function* chunked(bytes: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const csv = [
  "姓名,身分證字號,出生日期,電話,地址,件數",
  "王小明,A123456789,1985-03-02,0912-345-678,臺北市中正區重慶南路一段130號,3",
  "李大華,A123456788,74/05/06,(02)2311-1234,新北市板橋區文化路二段182巷3弄5號,4",
  "陳美麗,HD12345678,1990/1/2,無,中山路,5",
].join("\n");

test("a CSV file: findings per column with counts and masked samples; invalid IDs and plain counts are not findings", async () => {
  const report = await scanStructured(chunked(Buffer.from(csv)), "CSV");
  expect(report).toMatchObject({ encoding: "UTF-8", values: 18, bytes: Buffer.byteLength(csv) });
  expect(report.findings).toEqual([
    { column: "身分證字號", kind: "NATIONAL_ID", count: 1, samples: ["A1******89"] },
    { column: "身分證字號", kind: "RESIDENT_CERTIFICATE", count: 1, samples: ["HD******78"] },
    { column: "出生日期", kind: "BIRTH_DATE", count: 3, samples: ["1985-**-**", "74/**/**", "1990/*/*"] },
    { column: "電話", kind: "MOBILE_PHONE", count: 1, samples: ["0912-***-*78"] },
    { column: "電話", kind: "LANDLINE_PHONE", count: 1, samples: ["(02)23**-**34"] },
    { column: "地址", kind: "STREET_ADDRESS", count: 2, samples: ["臺北市中正區重慶南路*段***號", "新北市板橋區文化路*段***巷*弄*號"] },
  ]);
});

test("the same file in Big5 gives the same findings, split at any byte", async () => {
  const report = await scanStructured(chunked(iconv.encode(csv, "big5"), 5), "CSV");
  expect(report.encoding).toBe("BIG-5");
  expect(report.findings.map((f) => [f.column, f.kind, f.count])).toEqual([
    ["身分證字號", "NATIONAL_ID", 1],
    ["身分證字號", "RESIDENT_CERTIFICATE", 1],
    ["出生日期", "BIRTH_DATE", 3],
    ["電話", "MOBILE_PHONE", 1],
    ["電話", "LANDLINE_PHONE", 1],
    ["地址", "STREET_ADDRESS", 2],
  ]);
});

test("JSON of any shape: nested records, arrays of values under their property's name", async () => {
  const json = JSON.stringify({ updated: "2018-03-16", records: [{ 機關: "法務部", 聯絡信箱: ["a@moj.gov.tw", "b@moj.gov.tw"] }, { 機關: "矯正署", 聯絡信箱: [] }] });
  const report = await scanStructured(chunked(Buffer.from(json)), "JSON");
  expect(report.findings).toEqual([{ column: "聯絡信箱", kind: "EMAIL", count: 2, samples: ["a***@moj.gov.tw", "b***@moj.gov.tw"] }]);
});

test("XML: element texts and attributes", async () => {
  const xml = `<?xml version="1.0"?><資料><筆 編號="1"><受刑人>王小明</受刑人><證號>A123456789</證號><入監日期>2017-05-01</入監日期></筆></資料>`;
  const report = await scanStructured(chunked(Buffer.from(xml)), "XML");
  expect(report.findings).toEqual([{ column: "證號", kind: "NATIONAL_ID", count: 1, samples: ["A1******89"] }]);
});

test("a file of statistics has no findings: days without names, counts, years, a road without a number", async () => {
  const stats = "日期,機關名稱,件數,金額,地點\n2017-01-01,臺北看守所,1234567890,12345678,中山路\n2017-02-01,臺中監獄,0223111234,9,文化路\n";
  expect((await scanStructured(chunked(Buffer.from(stats)), "CSV")).findings).toEqual([]);
});
