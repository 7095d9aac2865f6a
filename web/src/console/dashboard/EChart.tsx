import { useEffect, useRef } from "react";
import { withCanvasTooltip } from "./chart-options";
import { echarts, type ChartOption } from "./charts";

type Props = {
  option: ChartOption;
  height: number | string;
  label: string;
  theme?: "dark";
  /** Called with the data index of a clicked bar, point or slice (the drill-down). */
  onPick?: (index: number) => void;
};

/** One ECharts chart, resized with its box; `label` names it for screen readers. */
export function EChart({ option, height, label, theme, onPick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (!box.current) return;
    const instance = echarts.init(box.current, theme, { renderer: "canvas" });
    chart.current = instance;
    instance.on("click", (params) => {
      if (typeof params.dataIndex === "number") pick.current?.(params.dataIndex);
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme]);

  useEffect(() => {
    chart.current?.setOption({ backgroundColor: "transparent", ...withCanvasTooltip(option) }, true);
  }, [option]);

  return <div ref={box} role="img" aria-label={label} style={{ height, width: "100%" }} />;
}
