/**
 * Datasets opened per year (bars) and their running total (line), drawn on
 * a canvas by uPlot; years read as AD with the ROC year beside, on the axis
 * and in the legend that follows the pointer.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cumulative, type YearCount } from "./figures";
import type { Lang } from "./i18n";
import { formatYear, rocYear } from "./time";

interface ChartProps {
  counts: YearCount[];
  labels: { year: string; opened: string; cumulative: string };
  lang: Lang;
}

export function OpenedPerYearChart({ counts, labels, lang }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || counts.length === 0) return;
    const width = Math.max(280, Math.min(element.clientWidth, 720));
    const bars = uPlot.paths.bars!({ size: [0.6, 48] });
    const plot = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: false }, total: { auto: true } },
        axes: [
          { values: (_u, values) => values.map((v) => (Number.isInteger(v) ? `${v}\n(${rocYear(v)})` : "")), size: 44 },
          { scale: "y" },
          { scale: "total", side: 1, grid: { show: false } },
        ],
        series: [
          { label: labels.year, value: (_u, year) => (year === null ? "--" : formatYear(year, lang)) },
          { label: labels.opened, scale: "y", fill: "rgba(0, 94, 162, 0.55)", stroke: "#005ea2", paths: bars, points: { show: false } },
          { label: labels.cumulative, scale: "total", stroke: "#b50909", width: 2 },
        ],
        legend: { show: true },
      },
      [counts.map((entry) => entry.year), counts.map((entry) => entry.count), cumulative(counts)],
      element,
    );
    return () => plot.destroy();
  }, [JSON.stringify([counts, labels]), lang]);
  return <div class="chart" ref={box} role="img" aria-label={`${labels.opened}: ${counts.map((c) => `${c.year} ${c.count}`).join(", ")}`} />;
}
