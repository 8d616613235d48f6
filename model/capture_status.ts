/**
 * What the running appliance says about its capture (`GET /api/v1/capture/status`, the status
 * file, the `rates` messages of the live WebSocket): where packets come from, how fast, what was
 * dropped, how the dissectors are doing, and the uploaded captures being imported.
 *
 * @module
 */

/** Where the appliance's packets come from. */
export type CaptureMode = "demo" | "live" | "files" | "absent";

/** One capture interface (live mode). */
export interface InterfaceStatus {
  name: string;
  /** Packets taken from the interface. */
  received: number;
  /** Dropped by the kernel (libpcap buffer full), the interface, the packet ring. */
  kernel_dropped: number;
  interface_dropped: number;
  ring_dropped: number;
}

/** Drops by kind, packets. */
export interface DropCounts {
  kernel: number;
  interface: number;
  ring: number;
  /** Observations a dissector worker could not hand over (its output was full). */
  observations: number;
  total: number;
}

/** A dissector (built-in or plugin) and how it is doing. */
export interface PluginHealth {
  name: string;
  /** `disabled` after too many errors (see `reason`). */
  status: "ok" | "disabled";
  errors: number;
  malformed: number;
  reason?: string;
}

/** State of an imported capture file (uploaded, or given with `--pcap`). */
export type CaptureImportState = "queued" | "importing" | "done" | "failed";

/** A capture file imported by the appliance (`GET /api/v1/captures/{id}`). */
export interface CaptureRecord {
  id: string;
  /** File name as given. */
  name: string;
  size_bytes: number;
  status: CaptureImportState;
  /** Share of the file read, 0..1. */
  progress: number;
  /** Frames read so far. */
  frames: number;
  /** Devices added to the inventory while it was imported (set when done). */
  devices_new: number | null;
  /** Why it failed, one line; or the damage that ended the reading early. */
  error: string | null;
  /** User name, or `command line` for `--pcap`. */
  uploaded_by: string;
  uploaded_at: string;
  finished_at: string | null;
}

/** The capture part of the appliance's status. */
export interface CaptureStatus {
  mode: CaptureMode;
  /** True when the packets are the bundled sample replayed (not the real network). */
  demo: boolean;
  started_at: string | null;
  updated_at: string;
  interfaces: InterfaceStatus[];
  rates: { packets_per_s: number; bytes_per_s: number };
  totals: { packets: number; bytes: number };
  drops: DropCounts;
  /** Engine counters summed over every source. */
  engine: { packets: number; bytes: number; truncated: number; malformed: number };
  plugins: PluginHealth[];
  /** Captures queued or being imported. */
  uploads: CaptureRecord[];
  /** Why the status is missing or old (`absent` mode, a status file not rewritten). */
  detail?: string;
}

/** The status of an appliance that is not there (a web server alone, no status file). */
export function absentCaptureStatus(detail: string): CaptureStatus {
  return {
    mode: "absent",
    demo: false,
    started_at: null,
    updated_at: new Date().toISOString(),
    interfaces: [],
    rates: { packets_per_s: 0, bytes_per_s: 0 },
    totals: { packets: 0, bytes: 0 },
    drops: { kernel: 0, interface: 0, ring: 0, observations: 0, total: 0 },
    engine: { packets: 0, bytes: 0, truncated: 0, malformed: 0 },
    plugins: [],
    uploads: [],
    detail,
  };
}
