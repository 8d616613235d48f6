/**
 * Every island by the name the server writes in `data-island`.
 *
 * @module
 */

import type { FunctionComponent } from "preact";
import { DonutChart } from "./donut_chart.tsx";
import { LiveDevices } from "./live_devices.tsx";
import { LiveEvents } from "./live_events.tsx";
import { LiveKpis } from "./live_kpis.tsx";
import { SeriesChart } from "./series_chart.tsx";
import { Upload } from "./upload.tsx";

/** Island components by name. */
// deno-lint-ignore no-explicit-any
export const ISLANDS: Record<string, FunctionComponent<any>> = {
  SeriesChart,
  DonutChart,
  LiveKpis,
  LiveDevices,
  LiveEvents,
  Upload,
};
