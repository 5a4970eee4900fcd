/**
 * The evaluation report (績效評估) as files: CSV, and a printable HTML page
 * with one chart per strategy (echarts rendered to SVG on the server, so the
 * page needs no script, no network and prints as it shows).
 */
import * as echarts from "echarts";
import { stringify } from "csv-stringify/sync";
import { AGENCIES } from "../../contract/agencies";
import { Strategy } from "./entities";
import type { EvaluationReport, MeetingCycleReport } from "./progress";

type Report = EvaluationReport | MeetingCycleReport;

const STRATEGY_NAMES: Record<Strategy, string> = {
  [Strategy.EXPAND_OPEN_DATA]: "策略一 擴大推動資料開放",
  [Strategy.IMPROVE_QUALITY]: "策略二 提升資料集品質",
  [Strategy.COLLABORATE]: "策略三 促進與民間協同合作",
  [Strategy.EVALUATE]: "策略四 定期評估檢討執行成效",
};

const agencyName = (code: string) => AGENCIES.find((agency) => agency.code === code)?.name ?? code;
const round = (value: number | null) => (value === null ? "" : String(Math.round(value * 100) / 100));

export function reportCsv(report: Report): string {
  return stringify(
    report.rows.map((row) => [row.strategy, row.agencyCode, agencyName(row.agencyCode), row.indicator, round(row.target), round(row.actual), round(row.gap), row.remarks ?? "", row.readOn]),
    { header: true, columns: ["strategy", "agencyCode", "agency", "indicator", "target", "actual", "gap", "remarks", "readOn"], bom: true },
  );
}

function chartOf(rows: Report["rows"]): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 900, height: 60 + rows.length * 22 });
  chart.setOption({
    animation: false,
    legend: { data: ["實際 actual", "目標 target"], top: 0 },
    grid: { left: 260, right: 40, top: 30, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: rows.map((row) => `${row.agencyCode} ${row.indicator}`) },
    series: [
      { name: "實際 actual", type: "bar", data: rows.map((row) => row.actual) },
      { name: "目標 target", type: "bar", data: rows.map((row) => row.target ?? 0) },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The period in the report's language: a ROC year, or the meeting cycle closed by a panel meeting. */
export function periodTitle(report: Report): string {
  if ("meetingHeldOn" in report) return `諮詢小組 ${report.meetingHeldOn} 會議週期（${report.from} 至 ${report.asOf}，對照民國${report.rocYear}年目標）`;
  return `民國${report.rocYear}年（${report.year}）`;
}

export function reportHtml(report: Report): string {
  const sections = Object.values(Strategy)
    .filter((strategy): strategy is Strategy => typeof strategy === "number")
    .map((strategy) => {
      const rows = report.rows.filter((row) => row.strategy === strategy);
      if (rows.length === 0) return "";
      const body = rows
        .map((row) => `<tr><td>${escape(agencyName(row.agencyCode))}</td><td>${row.indicator}</td><td>${round(row.target)}</td><td>${round(row.actual)}</td><td>${row.readOn}</td><td>${round(row.gap)}</td><td>${escape(row.remarks ?? "")}</td></tr>`)
        .join("\n");
      return `<section><h2>${STRATEGY_NAMES[strategy]}</h2>${chartOf(rows)}
<table><thead><tr><th>機關</th><th>指標</th><th>目標</th><th>實際</th><th>實際截至</th><th>差距</th><th>備註</th></tr></thead><tbody>
${body}
</tbody></table></section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="zh-Hant"><head><meta charset="utf-8"><title>績效評估 ${periodTitle(report)}</title>
<style>
body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; width: 100%; margin: 1em 0 2em; }
th, td { border: 1px solid #999; padding: 4px 8px; text-align: left; } td:nth-child(n+3) { text-align: right; }
section { page-break-inside: avoid; } @media print { body { margin: 1cm; } section { page-break-after: always; } }
</style></head><body>
<h1>法務部資料開放績效評估 ${periodTitle(report)}</h1>
<p>實際數值截至 ${report.asOf}，惟僅有現況而無歷史之指標為其「實際截至」欄所載日期之數值；差距 = 實際 − 目標。</p>
${sections}
</body></html>
`;
}
