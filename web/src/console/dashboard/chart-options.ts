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

/** The big screen is read from across a room: none of its chart text is under 18 px (ECharts draws 12). */
export const WALL_FONT_SIZE = 18;
const wallText = (dark: boolean) => (dark ? { color: "#c9d7ff", fontSize: WALL_FONT_SIZE } : {});
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
  const text = wallText(dark);
  const byDay = new Map(rows.map((row) => [row.key, row.figures]));
  const days = daysBetween(period.from, period.to);
  const series = (count: "accepted" | "closures") => days.map((day) => byDay.get(day)?.[count] ?? 0);
  return {
    tooltip: { trigger: "axis", textStyle: text },
    // An undefined colour would blank the legend's text in the light theme: only the dark one sets it.
    legend: { data: names, top: 0, right: 0, textStyle: text },
    grid: dark ? { left: 8, right: 24, top: 40, bottom: 8, containLabel: true } : { left: 40, right: 16, top: 32, bottom: 24 },
    xAxis: { type: "category", boundaryGap: false, data: days.map((day) => day.slice(5)), axisLabel: text },
    yAxis: { type: "value", minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: dark ? "#1d3357" : "#eee" } } },
    series: [
      { name: names[0], type: "line", data: series("accepted"), itemStyle: { color: "#3b82f6" } },
      { name: names[1], type: "line", data: series("closures"), itemStyle: { color: "#22c55e" } },
    ],
  };
}

/** Categories as horizontal bars, the largest on top. */
export function categoryBars(rows: readonly Named[], dark = false): ChartOption {
  const text = wallText(dark);
  const ordered = [...rows].reverse();
  return {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: text },
    grid: { left: 8, right: dark ? 56 : 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: dark ? "#1d3357" : "#eee" } } },
    yAxis: { type: "category", data: ordered.map((row) => row.name), axisLabel: { ...text, width: dark ? 150 : 120, overflow: "truncate" } },
    series: [{ type: "bar", data: ordered.map((row) => row.value), barMaxWidth: 28, itemStyle: { color: "#f59e0b" }, label: { show: true, position: "right", ...text } }],
  };
}

function pie(rows: readonly Named[], dark: boolean, colors: string[]): ChartOption {
  const slices = { type: "pie", showEmptyCircle: false, data: rows.map((row) => ({ name: row.name, value: row.value })) };
  if (!dark) {
    return { tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" }, color: colors, series: [{ ...slices, radius: ["40%", "70%"], label: { formatter: "{b}\n{c}" } }] };
  }
  // The big screen's pies sit in narrow panels where labels at 18 px do not fit beside them: a legend
  // to the right names each slice with its count.
  const counts = new Map(rows.map((row) => [row.name, row.value]));
  return {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", textStyle: wallText(dark) },
    color: colors,
    legend: { orient: "vertical", right: 0, top: "middle", itemGap: 8, selectedMode: false, textStyle: wallText(dark), formatter: (name: string) => `${name}  ${counts.get(name) ?? 0}` },
    series: [{ ...slices, radius: ["28%", "50%"], center: ["21%", "50%"], label: { show: false } }],
  };
}

export const sourcePie = (rows: readonly Named[], dark = false) => pie(rows, dark, ["#3b82f6", "#22c55e", "#f59e0b", "#a855f7", "#ef4444", "#14b8a6", "#eab308", "#64748b", "#ec4899"]);
export const levelPie = (rows: readonly Named[], dark = false) => pie(rows, dark, ["#14b8a6", "#3b82f6", "#a855f7"]);
