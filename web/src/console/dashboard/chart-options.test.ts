import { describe, expect, it } from "vitest";
import { categoryBars, sourcePie, trendLines, withCanvasTooltip } from "./chart-options";

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
