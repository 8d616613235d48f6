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
    `SELECT COALESCE(application, 'other') AS application, count(*)::float8 AS flows,
       sum(packet_count)::float8 AS packets, sum(byte_count)::float8 AS bytes
     FROM traffic_flows GROUP BY 1 ORDER BY bytes DESC, 1 LIMIT $1`,
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
