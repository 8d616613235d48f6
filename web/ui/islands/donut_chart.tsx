/**
 * Island: a donut of shares (bytes per protocol) drawn by frappe-charts.
 *
 * @module
 */

import { useEffect, useRef } from "preact/hooks";
// @ts-types="./frappe.d.ts"
import { Chart } from "frappe-charts/dist/frappe-charts.esm.js";
import { formatBytes } from "../components/format.ts";
import type { DonutProps } from "./props.ts";
import { styleSvgThroughCssom } from "./styled_svg.ts";

styleSvgThroughCssom();

const COLOURS = [
  "#3b82f6",
  "#f59e0b",
  "#10b981",
  "#ef4444",
  "#8b5cf6",
  "#06b6d4",
  "#ec4899",
  "#84cc16",
  "#f97316",
  "#64748b",
];

/** A donut chart. */
export function DonutChart(props: DonutProps) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const parent = frame.current;
    if (!parent || props.values.length === 0) return;
    const chart = new Chart(parent, {
      type: "donut",
      height: props.height,
      colors: COLOURS,
      animate: false,
      maxSlices: 10,
      data: { labels: props.labels, datasets: [{ values: props.values }] },
      tooltipOptions: { formatTooltipY: (value) => formatBytes(value) },
    });
    return () => {
      chart.destroy();
    };
  }, []);
  return <div ref={frame} class="chart-frame" role="img" aria-label={props.title} data-chart="donut" />;
}
