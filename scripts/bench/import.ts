import { stringify } from "csv-stringify/sync";
import { subgraphs } from "../../subgraphs";
import { importDatasetList } from "../../subgraphs/catalogue/dataset-list";
import { PLATFORM_COLUMNS } from "../../subgraphs/catalogue/platform-csv";
import { startInstance } from "../../subgraphs/kit/server";
import type { BenchOptions } from "./shared";

export async function benchImport({ serverUrl, prefix, rows }: BenchOptions): Promise<void> {
  const csv =
    "\uFEFF" +
    stringify([
      [...PLATFORM_COLUMNS],
      ...Array.from({ length: rows }, (_, i) => {
        const two = i % 5 === 0;
        const values: Record<string, string> = {
          資料集識別碼: `ACA-B-${String(i).padStart(6, "0")}`,
          資料集名稱: `矯正統計 ${i}`,
          服務分類: "公共資訊",
          檔案格式: two ? "CSV;JSON" : "CSV",
          資料下載網址: two ? `https://example.gov.tw/${i}.csv;https://example.gov.tw/${i}.json` : `https://example.gov.tw/${i}.csv`,
          編碼格式: two ? "UTF-8;UTF-8" : "UTF-8",
          資料集描述: "基準測試資料集",
          更新頻率: "每1年",
          上架日期: "2016-01-01",
          詮釋資料更新時間: "2018-03-16 10:00:00",
        };
        return PLATFORM_COLUMNS.map((column) => values[column] ?? "");
      }),
    ]);
  const instance = await startInstance(subgraphs.catalogue, { agencyCode: "ACA", serverUrl, databasePrefix: prefix, seed: false, port: 0 });
  try {
    const measures = [];
    for (const pass of ["fresh", "again (updates)"]) {
      const started = performance.now();
      const report = await importDatasetList(instance.orm.em, "ACA", csv);
      const seconds = (performance.now() - started) / 1000;
      measures.push({ pass, rows: report.rows, created: report.created, updated: report.updated, rejected: report.rejected.length, seconds: Number(seconds.toFixed(1)), "rows/s": Math.round(report.rows / seconds) });
    }
    console.log(`\nimport of the platform's dataset list, ${rows} rows`);
    console.table(measures);
  } finally {
    await instance.stop();
  }
}
