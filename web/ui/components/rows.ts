/**
 * Rows of the live tables from what storage reads, and the labels they need.
 *
 * @module
 */

import type { DeviceSummary } from "../../../storage/read/devices.ts";
import type { EventSummary } from "../../../storage/read/events.ts";
import type { Translate } from "../i18n/index.ts";
import type { DeviceRow, DeviceRowLabels, EventRow, EventRowLabels } from "./live_parts.tsx";

/** The name a device is shown by: the user's, the identified one, else its MAC. */
export function deviceName(
  device: Pick<DeviceSummary, "device_name" | "display_name" | "mac_address">,
): string {
  return device.device_name ?? device.display_name ?? device.mac_address;
}

/** A device as a live-table row. */
export function deviceRow(device: DeviceSummary): DeviceRow {
  return {
    id: device.id,
    name: deviceName(device),
    mac: device.mac_address,
    vendor: device.oui_vendor,
    type: device.device_type,
    ips: device.ip_addresses,
    first_seen: device.first_seen,
  };
}

/** One line about an event: who to whom, and its fields. */
export function eventText(event: EventSummary): string {
  const from = event.src_ip ?? event.src_mac ?? event.ip_address ?? event.mac_address;
  const to = event.dst_ip ?? event.dst_mac;
  const fields = Object.entries(event.fields ?? {}).slice(0, 4).map(([key, value]) =>
    `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`
  ).join(" ");
  const who = from && to ? `${from} → ${to}` : from ?? to ?? "";
  return [who, fields, event.count > 1 ? `×${event.count}` : ""].filter(Boolean).join(" · ").slice(0, 200);
}

/** An event as a live-table row. */
export function eventRow(event: EventSummary): EventRow {
  return {
    id: event.id,
    time: event.time,
    type: event.type,
    severity: event.severity,
    device_id: event.device_id,
    text: eventText(event),
  };
}

/** Column labels of the device table. */
export function deviceLabels(t: Translate): DeviceRowLabels {
  return {
    name: t("col.name"),
    ip: t("col.ip"),
    vendor: t("col.vendor"),
    type: t("col.type"),
    first_seen: t("common.first_seen"),
    empty: t("common.empty"),
  };
}

/** Column labels of the event table. */
export function eventLabels(t: Translate): EventRowLabels {
  return {
    time: t("common.time"),
    severity: t("events.severity"),
    type: t("events.type"),
    details: t("events.details"),
    empty: t("common.empty"),
  };
}
