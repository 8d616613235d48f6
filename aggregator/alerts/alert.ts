/**
 * The alert a rule raises: a stable `type`, a severity, the devices involved (by MAC), the evidence
 * (first and last frame time, flow, values before/after) and a dedup key. One condition is one
 * alert: storage upserts by (type, dedup key) and counts repeats, so rules may raise the same
 * alert on every batch without flooding.
 *
 * @module
 */

/** Severities, lowest first (the `alerts` table's check). */
export type AlertSeverity = "info" | "notice" | "warning" | "critical";

/** The evidence of an alert: when, which flow, what changed. */
export interface AlertEvidence {
  /** First and last frame time, µs since the epoch. */
  firstUs: number;
  lastUs: number;
  /** The flow (addresses) when the condition is about one conversation. */
  flow?: { src_mac: string | null; src_ip: string | null; dst_mac: string | null; dst_ip: string | null };
  /** The value before the change, and after. */
  before?: string | null;
  after?: string | null;
  /** Bounded, rule-specific facts (protocol event type, function code…). */
  facts?: Record<string, string | number | boolean>;
}

/** One alert raised by a rule. */
export interface RaisedAlert {
  type: string;
  severity: AlertSeverity;
  /** What happened, one line for a user. */
  message: string;
  /** MACs of the devices involved, the main one first. */
  macs: string[];
  /** Identity of "the same alert" within its type. */
  dedupKey: string;
  /** Occurrences this batch saw (at least 1). */
  count: number;
  evidence: AlertEvidence;
}
