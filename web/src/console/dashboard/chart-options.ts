import type { ChartOption } from "./charts";
import type { Figures } from "./data";

/**
 * ECharts' HTML tooltips write `style` attributes into their markup, which the
 * Content-Security-Policy refuses (one refusal each time one shows): every chart's tooltip is drawn
 * on its canvas instead.
 */
export function withCanvasTooltip(option: ChartOption): ChartOption {
  const tooltip: unknown = option.tooltip;
  if (!tooltip || typeof tooltip !== "object" || Array.isArray(tooltip)) return option;
  return { ...option, tooltip: { ...tooltip, renderMode: "richText" } };
}

type Named = { name: string; value: number };
type DayRow = { key: string; figures: Figures };

/** Every day from `from` to `to`, both included (YYYY-MM-DD). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`) && days.length < 400; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** Accepted and closed cases per day of the period, days without cases at zero. */
export function trendLines(rows: readonly DayRow[], names: [string, string], period: { from: string; to: string }, dark = false): ChartOption {
  const text = dark ? "#c9d7ff" : undefined;
  const byDay = new Map(rows.map((row) => [row.key, row.figures]));
  const days = daysBetween(period.from, period.to);
  const series = (count: "accepted" | "closures") => days.map((day) => byDay.get(day)?.[count] ?? 0);
  return {
    tooltip: { trigger: "axis" },
    // An undefined colour would blank the legend's text in the light theme: only the dark one sets it.
    legend: { data: names, top: 0, right: 0, ...(text ? { textStyle: { color: text } } : {}) },
    grid: { left: 40, right: 16, top: 32, bottom: 24 },
    xAxis: { type: "category", boundaryGap: false, data: days.map((day) => day.slice(5)), axisLabel: { color: text } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: text }, splitLine: { lineStyle: { color: dark ? "#1d3357" : "#eee" } } },
    series: [
      { name: names[0], type: "line", data: series("accepted"), itemStyle: { color: "#3b82f6" } },
      { name: names[1], type: "line", data: series("closures"), itemStyle: { color: "#22c55e" } },
    ],
  };
}

/** Categories as horizontal bars, the largest on top. */
export function categoryBars(rows: readonly Named[], dark = false): ChartOption {
  const text = dark ? "#c9d7ff" : undefined;
  const ordered = [...rows].reverse();
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: { color: text }, splitLine: { lineStyle: { color: dark ? "#1d3357" : "#eee" } } },
    yAxis: { type: "category", data: ordered.map((row) => row.name), axisLabel: { color: text, width: 120, overflow: "truncate" } },
    series: [{ type: "bar", data: ordered.map((row) => row.value), barMaxWidth: 28, itemStyle: { color: "#f59e0b" }, label: { show: true, position: "right", color: text } }],
  };
}

const pie = (rows: readonly Named[], dark: boolean, colors: string[]): ChartOption => ({
  tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
  color: colors,
  series: [
    {
      type: "pie",
      // The big screen's pies sit in narrow panels: smaller, so that their labels fit beside them.
      radius: dark ? ["28%", "50%"] : ["40%", "70%"],
      showEmptyCircle: false,
      data: rows.map((row) => ({ name: row.name, value: row.value })),
      label: { formatter: "{b}\n{c}", color: dark ? "#c9d7ff" : undefined },
    },
  ],
});

export const sourcePie = (rows: readonly Named[], dark = false) => pie(rows, dark, ["#3b82f6", "#22c55e", "#f59e0b", "#a855f7", "#ef4444", "#14b8a6", "#eab308", "#64748b", "#ec4899"]);
export const levelPie = (rows: readonly Named[], dark = false) => pie(rows, dark, ["#14b8a6", "#3b82f6", "#a855f7"]);
