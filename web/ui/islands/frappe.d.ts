// Types of the part of frappe-charts the islands use (the package ships none).

/** Options of a frappe chart. */
export interface ChartOptions {
  title?: string;
  type: "bar" | "line" | "donut" | "pie" | "percentage";
  height?: number;
  colors?: string[];
  data: { labels: string[]; datasets: { name?: string; values: number[]; chartType?: string }[] };
  axisOptions?: { xIsSeries?: boolean | number; xAxisMode?: "span" | "tick"; yAxisMode?: "span" | "tick" };
  lineOptions?: { regionFill?: number; hideDots?: number; heatline?: number; spline?: number };
  barOptions?: { spaceRatio?: number; stacked?: number };
  tooltipOptions?: {
    formatTooltipX?: (value: unknown) => string;
    formatTooltipY?: (value: number) => string;
  };
  animate?: boolean | number;
  truncateLegends?: boolean | number;
  maxSlices?: number;
}

/** A frappe chart drawn into `parent`. */
export class Chart {
  constructor(parent: Element | string, options: ChartOptions);
  update(data: ChartOptions["data"]): void;
  destroy(): void;
}
