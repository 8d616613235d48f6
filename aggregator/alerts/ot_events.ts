/**
 * OT alerts from the protocol events the OT dissectors report: one table maps each event's
 * operation (`fields.op`, see dissectors/ot/README.md) — or, where the operation is too coarse,
 * its type — to an alert type. The alert takes the event's severity, so the dissector's judgement
 * (a BACnet ReinitializeDevice is critical, a Modbus write a notice) is kept.
 *
 * @module
 */

import type { EventRecord } from "../../model/flush_record.ts";
import type { AlertSeverity, RaisedAlert } from "./alert.ts";

/** Event operation → alert type. */
export const OT_ALERT_BY_OP: Readonly<Record<string, string>> = {
  write: "ot.write",
  program_download: "ot.program_change",
  program_upload: "ot.program_change",
  program_delete: "ot.program_change",
  cpu_stop: "ot.cpu_state",
  cpu_start: "ot.cpu_state",
  restart: "ot.restart",
  config_change: "ot.config_change",
  command: "ot.config_change",
};

/**
 * Event type → alert type, where the type says more than its operation; `null`: none (an
 * outstation's confirmation of a command is not a second command).
 */
export const OT_ALERT_BY_EVENT: Readonly<Record<string, string | null>> = {
  "iec104.command_confirmation": null,
  "modbus.file_write": "ot.write",
  "bacnet.file_write": "ot.write",
  "s7comm.plc_stop": "ot.cpu_state",
  "s7comm.plc_start": "ot.cpu_state",
  "dnp3.cold_restart": "ot.restart",
  "dnp3.warm_restart": "ot.restart",
  "dnp3.stop_application": "ot.cpu_state",
  "bacnet.reinitialize_device": "ot.restart",
  "bacnet.device_communication_control": "ot.config_change",
  "modbus.restart_communications": "ot.restart",
  "modbus.force_listen_only": "ot.config_change",
};

const SEVERITIES = new Set<string>(["info", "notice", "warning", "critical"]);

/** The alert type of one protocol event, or undefined when it raises none. */
export function otAlertType(event: Pick<EventRecord, "type" | "fields" | "kind">): string | undefined {
  if (event.kind !== "event") return undefined;
  const byType = OT_ALERT_BY_EVENT[event.type];
  if (byType !== undefined) return byType ?? undefined;
  const op = event.fields.op;
  return typeof op === "string" ? OT_ALERT_BY_OP[op] : undefined;
}

/**
 * OT alerts of a batch's events: one per (alert type, sender, controller, event type), counted.
 *
 * @param events the batch's protocol events
 * @returns the alerts, the controller (destination) first in `macs`
 */
export function otEventAlerts(events: readonly EventRecord[]): RaisedAlert[] {
  const out = new Map<string, RaisedAlert>();
  for (const event of events) {
    const type = otAlertType(event);
    if (type === undefined) continue;
    const sender = event.src_ip ?? event.src_mac ?? "?";
    const target = event.dst_ip ?? event.dst_mac ?? event.ip ?? event.mac ?? "?";
    const key = `${sender}>${target}|${event.type}`;
    const known = out.get(key);
    if (known !== undefined) {
      known.count += event.count;
      known.evidence.firstUs = Math.min(known.evidence.firstUs, event.first_seen_us);
      known.evidence.lastUs = Math.max(known.evidence.lastUs, event.last_seen_us);
      continue;
    }
    const facts: Record<string, string | number | boolean> = {};
    for (const [name, value] of Object.entries(event.fields).slice(0, 16)) {
      facts[name] = typeof value === "string" ? value.slice(0, 128) : value;
    }
    const macs = [event.dst_mac, event.src_mac].filter((mac): mac is string => mac !== null);
    out.set(key, {
      type,
      severity: SEVERITIES.has(event.severity) ? event.severity as AlertSeverity : "warning",
      message: `${event.type} from ${sender} to ${target}`,
      macs: [...new Set(macs)],
      dedupKey: key,
      count: event.count,
      evidence: {
        firstUs: event.first_seen_us,
        lastUs: event.last_seen_us,
        flow: { src_mac: event.src_mac, src_ip: event.src_ip, dst_mac: event.dst_mac, dst_ip: event.dst_ip },
        facts: { event: event.type, source: event.source, ...facts },
      },
    });
  }
  return [...out.values()];
}
