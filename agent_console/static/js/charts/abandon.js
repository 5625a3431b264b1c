// The abandon curve: how long callers waited before they gave up, in buckets of wait time (bars: abandons and,
// stacked on them, short abandons), and the survival line: callers still waiting when each bucket begins.
import { t } from "../i18n.js";
import { show, tooltip } from "./echarts.js";

function bucketName(b) {
  return b.wait_to == null ? "≥" + b.wait_from + " s" : b.wait_from + "–" + b.wait_to + " s";
}

export function abandonOption(report) {
  const buckets = report.buckets || [];
  const names = buckets.map(bucketName);
  return {
    tooltip: tooltip((items) => [items[0]?.axisValue, ...items.map((p) => p.seriesName + ": " + p.value)].join("\n"),
      "axis"),
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 44, bottom: 28, containLabel: true },
    xAxis: { type: "category", data: names, name: t("chart.wait"), nameLocation: "middle", nameGap: 28 },
    yAxis: [
      { type: "value", name: t("chart.abandons"), minInterval: 1, nameTextStyle: { align: "left" } },
      { type: "value", name: t("chart.still_waiting"), minInterval: 1, splitLine: { show: false },
        nameTextStyle: { align: "right" } },
    ],
    series: [
      { type: "bar", name: t("chart.abandoned"), stack: "gave_up", data: buckets.map((b) => b.abandoned), color: "#c0392b" },
      { type: "bar", name: t("chart.short_abandoned"), stack: "gave_up", data: buckets.map((b) => b.short_abandoned),
        color: "#e6a23c" },
      { type: "line", name: t("chart.still_waiting"), yAxisIndex: 1, data: buckets.map((b) => b.waiting_at_start),
        symbolSize: 5, color: "#1769aa" },
    ],
  };
}

export function showAbandonCurve(container, report) {
  return show(container, abandonOption(report));
}
