import { describe, expect, it } from "vitest";
import { categoryBars, levelPie, sourcePie, trendLines, WALL_FONT_SIZE, withCanvasTooltip } from "./chart-options";
import { gridMapOption } from "./grid-map";

describe("the charts' tooltips", () => {
  it("are drawn on the canvas, never as HTML with style attributes the policy refuses", () => {
    const options = [
      trendLines([], ["受理", "结案"], { from: "2026-12-01", to: "2026-12-03" }),
      categoryBars([{ name: "占道经营", value: 3 }]),
      sourcePie([{ name: "热线", value: 2 }], true),
    ];
    for (const option of options) {
      const drawn = withCanvasTooltip(option) as { tooltip: { renderMode: string; trigger: string } };
      expect(drawn.tooltip.renderMode).toBe("richText");
      expect(drawn.tooltip.trigger).toBe((option as { tooltip: { trigger: string } }).tooltip.trigger);
    }
  });

  it("leaves a chart without a tooltip as it is", () => {
    const option = { series: [] };
    expect(withCanvasTooltip(option)).toBe(option);
  });
});

/** Every shown text style in an option: axis labels, legends, labels, tooltips and the map's scale. */
function textStyles(value: unknown, key = ""): { key: string; fontSize?: number }[] {
  if (!value || typeof value !== "object") return [];
  const shown = (value as { show?: boolean }).show !== false;
  const found = shown && /^(axisLabel|label|textStyle)$/.test(key) ? [{ key, fontSize: (value as { fontSize?: number }).fontSize }] : [];
  const children = Array.isArray(value) ? value.map((item) => textStyles(item, key)) : Object.entries(value).map(([name, child]) => textStyles(child, name));
  return [...found, ...children.flat()];
}

describe("the big screen's charts", () => {
  it("draw no text under 18 px, so that it reads from across a room", () => {
    const grids = [{ code: "530103001001001", name: "一号网格", place: "华山街道 翠湖社区", accepted: 4, closures: 1, overdue: 0 }];
    const options = [
      trendLines([], ["受理", "结案"], { from: "2026-12-01", to: "2026-12-03" }, true),
      categoryBars([{ name: "占道经营", value: 3 }], true),
      sourcePie([{ name: "热线", value: 2 }], true),
      levelPie([{ name: "社区", value: 2 }], true),
      gridMapOption("grids-wall", grids, ["530103001001001"], { none: "无案件", figures: (grid) => `受理 ${grid.accepted} 件` }, { dark: true }),
    ];
    for (const option of options) {
      const styles = textStyles(option);
      expect(styles.length).toBeGreaterThan(0);
      for (const style of styles) expect(style.fontSize ?? 0, style.key).toBeGreaterThanOrEqual(WALL_FONT_SIZE);
    }
  });
});
