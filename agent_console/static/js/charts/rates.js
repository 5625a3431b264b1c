// Answer rate and service level over time, one point per day (per week or month for long periods), with the
// service-level goal drawn as a line. A period without offered calls has no rate: a gap, not a zero.
import { t } from "../i18n.js";
import { daysBetween, percent, show, tooltip } from "./echarts.js";

/** The grouping that keeps the chart readable: days up to a year, then ISO weeks, then months. */
export function ratesGrouping(first, last) {
  const days = daysBetween(first, last).length;
  return days <= 366 ? "day" : days <= 3 * 366 ? "week" : "month";
}

/** [periods, answerRates, serviceLevels] (rates in %, null where undefined). Days without calls are kept. */
export function rateSeries(rows, by, first, last) {
  const byPeriod = new Map(rows.map((r) => [r.period, r.figures]));
  const periods = by === "day" ? daysBetween(first, last) : rows.map((r) => r.period);
  const pct = (v) => (v == null ? null : Math.round(v * 1000) / 10);
  return [periods, periods.map((p) => pct(byPeriod.get(p)?.answer_rate)),
    periods.map((p) => pct(byPeriod.get(p)?.service_level))];
}

export function ratesOption(rows, by, first, last, goalPercent, targetSeconds) {
  const [periods, answer, service] = rateSeries(rows, by, first, last);
  const slName = t("chart.service_level", { seconds: targetSeconds });
  return {
    tooltip: tooltip((items) => [items[0]?.axisValue, ...items.map((p) => p.seriesName + ": "
      + percent(p.value == null ? null : p.value / 100))].join("\n"), "axis"),
    legend: { top: 0, data: [t("chart.answer_rate"), slName, t("chart.goal")] },
    grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: periods, boundaryGap: false, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { type: "line", name: t("chart.answer_rate"), data: answer, connectNulls: false, symbolSize: 6, color: "#1769aa" },
      { type: "line", name: slName, data: service, connectNulls: false, symbolSize: 6, color: "#1e8a4c" },
      { type: "line", name: t("chart.goal"), data: periods.map(() => goalPercent), symbol: "none", color: "#c0392b",
        lineStyle: { type: "dashed", width: 1.5 } },
    ],
  };
}

export function showRates(container, rows, by, first, last, goalPercent, targetSeconds) {
  return show(container, ratesOption(rows, by, first, last, goalPercent, targetSeconds));
}
