/**
 * Flows of the inventory as report rows.
 *
 * @module
 */

import type { Inventory } from "./inventory.ts";
import type { Flow } from "./inventory_types.ts";
import { type FlowKeyFields, flowKeyFields } from "../model/flow_key.ts";
import { guessApplication } from "./well_known_ports.ts";

let cachedSecond = NaN;
let cachedPrefix = "";

/**
 * ISO 8601 text of a time in µs since the epoch (millisecond precision). Reports format hundreds
 * of thousands of times that share a few seconds, so the "YYYY-MM-DDTHH:MM:SS." part is cached.
 */
export function isoTime(us: number): string {
  const ms = Math.floor(us / 1000);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const fraction = ms - second * 1000;
  return `${cachedPrefix}${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}Z`;
}

/** A flow's application protocol and where it comes from. */
export type FlowApplication = Pick<Flow, "application" | "application_source">;

const NO_APPLICATION: FlowApplication = { application: null, application_source: null };

/**
 * The application of flow entry `entry`: the dissector that decoded its payload, else a guess from
 * a well-known port, else none.
 */
export function flowApplication(inventory: Inventory, entry: number, key: FlowKeyFields): FlowApplication {
  const appIndex = inventory.flowApp[entry];
  if (appIndex >= 0) {
    return { application: inventory.applicationNames[appIndex], application_source: "dissector" };
  }
  if (key.ip_protocol === null || key.src_port === null || key.dst_port === null) return NO_APPLICATION;
  const guess = guessApplication(key.ip_protocol, key.src_port, key.dst_port);
  return guess ? { application: guess, application_source: "port" } : NO_APPLICATION;
}

/** The decoded key of every flow entry, in entry order. */
export function flowKeys(inventory: Inventory): FlowKeyFields[] {
  const keys: FlowKeyFields[] = new Array(inventory.flows.size);
  for (let entry = 0; entry < keys.length; entry++) keys[entry] = flowKeyFields(inventory.flows.keys, entry);
  return keys;
}

/** Every flow, in order of first appearance; `id` is the entry index + 1. */
export function deriveFlows(inventory: Inventory): Flow[] {
  const flows: Flow[] = [];
  for (let entry = 0; entry < inventory.flows.size; entry++) {
    const key = flowKeyFields(inventory.flows.keys, entry);
    const { application, application_source: applicationSource } = flowApplication(inventory, entry, key);
    const isTcp = key.ip_protocol === 6;
    flows.push({
      id: entry + 1,
      src_mac: key.src_mac,
      dst_mac: key.dst_mac,
      src_ip: key.src_ip,
      dst_ip: key.dst_ip,
      src_port: key.src_port,
      dst_port: key.dst_port,
      vlan_id: key.vlan_id,
      outer_vlan_id: key.outer_vlan_id,
      ethertype: key.ethertype,
      ip_protocol: key.ip_protocol,
      application,
      application_source: applicationSource,
      first_seen: isoTime(inventory.flowFirstUs[entry]),
      last_seen: isoTime(inventory.flowLastUs[entry]),
      packet_count: inventory.flowPackets[entry],
      byte_count: inventory.flowBytes[entry],
      tcp_flags_seen: isTcp ? inventory.flowTcpFlags[entry] : null,
      tcp_syn_count: inventory.flowSyn[entry],
      tcp_rst_count: inventory.flowRst[entry],
      tcp_fin_count: inventory.flowFin[entry],
    });
  }
  return flows;
}
