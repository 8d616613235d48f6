/**
 * Island: the newest devices, with those the live socket announces put on top.
 *
 * @module
 */

import { useEffect } from "preact/hooks";
import { type DeviceRow, DeviceRows } from "../components/live_parts.tsx";
import { liveDevices, startLive } from "./live_store.ts";
import type { LiveDevicesProps } from "./props.ts";

/** The newest-devices table, live. */
export function LiveDevices({ rows, labels, unnamed }: LiveDevicesProps) {
  useEffect(startLive, []);
  const added: DeviceRow[] = liveDevices.value.map((device) => ({
    id: device.id,
    name: device.display_name ?? device.mac_address ?? unnamed,
    mac: device.mac_address,
    vendor: device.oui_vendor,
    type: device.device_type,
    ips: device.ip_addresses ?? [],
    first_seen: device.first_seen,
  }));
  const seen = new Set(added.map((row) => row.id));
  return (
    <DeviceRows rows={[...added, ...rows.filter((row) => !seen.has(row.id))].slice(0, 10)} labels={labels} />
  );
}
