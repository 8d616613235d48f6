/**
 * Props of every island, as the server writes them into the page (JSON) and the bundle reads them.
 * Types only: the server imports this file without loading any browser code.
 *
 * @module
 */

import type {
  DeviceRow,
  DeviceRowLabels,
  EventRow,
  EventRowLabels,
  KpiLabels,
  KpiValues,
} from "../components/live_parts.tsx";

/** A time series chart (bars or lines), already downsampled by the server. */
export interface SeriesChartProps {
  kind: "bar" | "line";
  title: string;
  /** One label per point (UTC clock times). */
  labels: string[];
  datasets: { name: string; values: number[] }[];
  /** What the values are: bytes per bucket or bits per second. */
  unit: "bytes" | "bits";
  height: number;
}

/** A donut of shares. */
export interface DonutProps {
  title: string;
  labels: string[];
  values: number[];
  height: number;
}

/** The dashboard's KPI cards, kept current by the live socket. */
export interface LiveKpisProps {
  values: KpiValues;
  labels: KpiLabels;
  status: { on: string; off: string; connecting: string };
}

/** The newest devices, with those the live socket announces on top. */
export interface LiveDevicesProps {
  rows: DeviceRow[];
  labels: DeviceRowLabels;
  unnamed: string;
}

/** The latest events, with those the live socket announces on top. */
export interface LiveEventsProps {
  rows: EventRow[];
  labels: EventRowLabels;
}

/** The upload form's strings. */
export interface UploadProps {
  labels: Record<
    | "file"
    | "submit"
    | "sending"
    | "status"
    | "progress"
    | "frames"
    | "devices_new"
    | "error"
    | "unavailable"
    | "see_devices"
    | "queued"
    | "importing"
    | "done"
    | "failed",
    string
  >;
}
