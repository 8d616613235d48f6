/**
 * Chart slots: the island that draws the chart in the browser, above a table of the same numbers
 * for readers without JavaScript (and for screen readers). Series come downsampled by the server
 * (storage/read/bandwidth.ts); empty buckets are filled with zeros so the time axis is regular.
 *
 * @module
 */

import type { BandwidthSeries } from "../../../storage/read/bandwidth.ts";
import type { Translate } from "../i18n/index.ts";
import type { DonutProps, SeriesChartProps } from "../islands/props.ts";
import { formatBits, formatBytes, formatTime } from "./format.ts";
import { Island } from "./island.tsx";

/** A series as chart props: bits per second in and out, one label per bucket. */
export function seriesProps(
  series: BandwidthSeries,
  names: { in?: string; out: string },
  title: string,
  height = 220,
): SeriesChartProps {
  const width = series.bucket_seconds * 1000;
  const start = Math.floor(Date.parse(series.from) / width) * width;
  const end = Date.parse(series.to);
  const byTime = new Map(series.points.map((point) => [Date.parse(point.time), point]));
  const labels: string[] = [];
  const incoming: number[] = [];
  const outgoing: number[] = [];
  const long = end - start > 86_400_000;
  for (let time = start; time < end && labels.length < 2000; time += width) {
    const point = byTime.get(time);
    const iso = new Date(time).toISOString();
    labels.push(long ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16));
    incoming.push(point ? Math.round((point.bytes_in * 8) / series.bucket_seconds) : 0);
    outgoing.push(point ? Math.round((point.bytes_out * 8) / series.bucket_seconds) : 0);
  }
  const datasets = names.in
    ? [{ name: names.in, values: incoming }, { name: names.out, values: outgoing }]
    : [{ name: names.out, values: outgoing }];
  return { kind: "bar", title, labels, datasets, unit: "bits", height };
}

/** A series chart and its data table. */
export function SeriesSlot({ chart, t }: { chart: SeriesChartProps; t: Translate }) {
  const rows = chart.labels.map((label, index) => ({
    label,
    values: chart.datasets.map((d) => d.values[index]),
  }))
    .filter((row) => row.values.some((value) => value > 0));
  return (
    <div class="chart">
      <Island name="SeriesChart" props={chart}>
        <div class="chart-frame" role="img" aria-label={chart.title} data-chart="series" />
      </Island>
      <details>
        <summary>{t("common.data_table")}</summary>
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">{t("common.time")}</th>
              {chart.datasets.map((dataset) => (
                <th key={dataset.name} scope="col" class="num">{dataset.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td class="mono">{row.label}</td>
                {row.values.map((value, index) => <td key={index} class="num">{formatBits(value)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** A donut and its data table. */
export function DonutSlot({ chart, t }: { chart: DonutProps; t: Translate }) {
  const total = chart.values.reduce((a, b) => a + b, 0) || 1;
  return (
    <div class="chart">
      <Island name="DonutChart" props={chart}>
        <div class="chart-frame" role="img" aria-label={chart.title} data-chart="donut" />
      </Island>
      <details>
        <summary>{t("common.data_table")}</summary>
        <table class="grid">
          <tbody>
            {chart.labels.map((label, index) => (
              <tr>
                <th scope="row">{label}</th>
                <td class="num">{formatBytes(chart.values[index])}</td>
                <td class="num">{Math.round((chart.values[index] / total) * 100)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** `from – to` of a series, for a chart's title. */
export function rangeText(range: { from: string; to: string }): string {
  return `${formatTime(range.from)} – ${formatTime(range.to)}`;
}
