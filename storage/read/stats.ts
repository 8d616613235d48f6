/**
 * Traffic statistics of the API: bytes, packets and flows per protocol, and the busiest devices.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { DEVICE_COLUMNS, type DeviceSummary } from "./devices.ts";

/** One protocol's share of the traffic. */
export interface ProtocolShare {
  /** Application (dissector or well-known port), else `other`. */
  application: string;
  flows: number;
  packets: number;
  bytes: number;
}

/** Traffic per application, largest first. */
export function readProtocols(db: Queryable, limit: number): Promise<ProtocolShare[]> {
  return db.query<ProtocolShare>(
    `SELECT application, flows::float8 AS flows, packets::float8 AS packets, bytes::float8 AS bytes
     FROM flow_application_totals WHERE flows > 0 ORDER BY bytes DESC, application LIMIT $1`,
    [limit],
  );
}

/** The devices that sent and received the most bytes. */
export function readTopTalkers(db: Queryable, limit: number): Promise<DeviceSummary[]> {
  return db.query<DeviceSummary>(
    `SELECT ${DEVICE_COLUMNS} FROM devices d
     ORDER BY d.total_bytes_sent + d.total_bytes_received DESC, d.id LIMIT $1`,
    [limit],
  );
}
