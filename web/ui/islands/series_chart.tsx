/**
 * Island: a time series (bandwidth) drawn by frappe-charts from points the server already
 * downsampled. The server renders an empty frame of the right height and a data table beside it.
 *
 * @module
 */

import { useEffect, useRef } from "preact/hooks";
// @ts-types="./frappe.d.ts"
import { Chart } from "frappe-charts/dist/frappe-charts.esm.js";
import { formatBits, formatBytes } from "../components/format.ts";
import type { SeriesChartProps } from "./props.ts";
import { styleSvgThroughCssom } from "./styled_svg.ts";

styleSvgThroughCssom();

/** Series colours (in: blue, out: orange), readable on both themes. */
export const SERIES_COLOURS = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444"];

/** A bar or line chart of a series. */
export function SeriesChart(props: SeriesChartProps) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const parent = frame.current;
    if (!parent || props.labels.length === 0) return;
    const format = props.unit === "bits" ? formatBits : formatBytes;
    const chart = new Chart(parent, {
      type: props.kind,
      height: props.height,
      colors: SERIES_COLOURS,
      animate: false,
      data: { labels: props.labels, datasets: props.datasets },
      axisOptions: { xIsSeries: true, xAxisMode: "tick" },
      lineOptions: { regionFill: 1, hideDots: 1 },
      barOptions: { spaceRatio: 0.15, stacked: 1 },
      tooltipOptions: { formatTooltipY: (value) => format(value) },
    });
    return () => {
      chart.destroy();
    };
  }, []);
  return <div ref={frame} class="chart-frame" role="img" aria-label={props.title} data-chart="series" />;
}
