import { BarChart, LineChart, MapChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapPiecewiseComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

// Only the charts the dashboard and the big screen draw, so the rest of ECharts stays out of the bundle.
echarts.use([LineChart, BarChart, PieChart, MapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapPiecewiseComponent, CanvasRenderer]);

export { echarts };
export type ChartOption = echarts.EChartsCoreOption;
