/**
 * What a dissector reports about a device or a protocol, as plain values: the severity of an event
 * and an identity attribute. The plugin API (dissectors/api.ts) re-exports both.
 *
 * @module
 */

/** Severity of a protocol event, from routine to dangerous. */
export type Severity = "info" | "notice" | "warning" | "critical";

/** An identity attribute learnt about a device (hostname, vendor, model, firmware, role…). */
export interface IdentityAttribute {
  /** Dotted lowercase key shared by the aggregator, API and UI, e.g. `hostname`, `os.family`, `modbus.vendor`. */
  key: string;
  /** The value as heard. */
  value: string;
  /** 0–100: how much the source can be trusted for this key (a DHCP hostname 80, a TLS SNI 30…). */
  confidence: number;
}
