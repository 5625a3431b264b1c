// Calls per hour as a heat-map: one row per local day of the period, one column per hour (0-23). Every cell is
// drawn, an hour without calls as 0 (the report omits empty hours), so the grid always has days × 24 cells.
import { t } from "../i18n.js";
import { daysBetween, plain, show, tooltip } from "./echarts.js";

export const MAX_DAYS = 92;  // a quarter: beyond that an hour per cell is no longer readable (nor cheap)

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));

/** [hour, dayIndex, calls] for every cell, from the rows of /api/reports/metrics?by=hour. */
export function heatmapCells(rows, days) {
  const index = new Map(days.map((d, i) => [d, i]));
  const calls = new Map();
  for (const row of rows) {  // period "2026-11-25T09:00", local time of the hotline
    const day = index.get(row.period.slice(0, 10)), hour = Number(row.period.slice(11, 13));
    if (day != null) calls.set(day * 24 + hour, (calls.get(day * 24 + hour) || 0) + (row.figures.calls || 0));
  }
  return days.flatMap((_, d) => HOURS.map((_h, h) => [h, d, calls.get(d * 24 + h) || 0]));
}

export function heatmapOption(rows, first, last) {
  const days = daysBetween(first, last);
  const cells = heatmapCells(rows, days);
  const max = Math.max(1, ...cells.map((c) => c[2]));
  return {
    tooltip: tooltip((p) => plain(days[p.value[1]]) + " " + HOURS[p.value[0]] + ":00\n"
      + t("chart.calls") + ": " + p.value[2]),
    grid: { left: 8, right: 72, top: 8, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: HOURS, name: t("chart.hour"), nameLocation: "middle", nameGap: 24,
      splitArea: { show: true } },
    yAxis: { type: "category", data: days, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 120,
      inRange: { color: ["#f3f8fc", "#6baed6", "#08306b"] } },
    series: [{ type: "heatmap", name: t("chart.calls"), data: cells,
      label: { show: days.length <= 10, fontSize: 10 }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
  };
}

export function showHeatmap(container, rows, first, last) {
  return show(container, heatmapOption(rows, first, last));
}
