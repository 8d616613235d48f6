/**
 * Reservation suggestions: clients that always got the same address — several leases or renewals
 * heard, every bound or released one for one IPv4 address, never declined or refused — whose
 * address could be reserved on the DHCP server (or made static).
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso, num, type Page, pageOf, type PageRequest } from "./sql.ts";

/** One suggestion. */
export interface ReservationSuggestion {
  mac_address: string;
  device_id: number | null;
  device_name: string | null;
  ip_address: string;
  hostname: string | null;
  /** Servers that handed the address out. */
  servers: string[];
  /** Lease records (per server) and renewals heard for it. */
  leases: number;
  renewals: number;
  first_seen: string;
  last_seen: string;
}

const SUGGESTIONS = `
SELECT l.client_mac, min(host(l.ip_address)) AS ip_address, max(l.hostname) AS hostname,
  array_remove(array_agg(DISTINCT host(l.server_ip)), NULL) AS servers, count(*) AS leases,
  sum(l.renewals) AS renewals, min(l.first_seen) AS first_seen, max(l.last_seen) AS last_seen
FROM dhcp_leases l
WHERE family(l.ip_address) = 4
GROUP BY l.client_mac
HAVING bool_and(l.state IN ('bound', 'released')) AND count(DISTINCT l.ip_address) = 1
  AND count(*) + sum(l.renewals) >= 2`;

/** One page of suggestions, longest-held address first. */
export async function listReservations(
  db: Queryable,
  query: PageRequest,
): Promise<Page<ReservationSuggestion>> {
  const total = (await db.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM (${SUGGESTIONS}) s`))[0].n;
  const items = await db.query<ReservationSuggestion>(
    `SELECT s.client_mac::text AS mac_address, ${num("d.id", "device_id")},
       COALESCE(d.device_name, d.display_name) AS device_name, s.ip_address, s.hostname, s.servers,
       ${num("s.leases", "leases")}, ${num("s.renewals", "renewals")}, ${iso("s.first_seen", "first_seen")},
       ${iso("s.last_seen", "last_seen")}
     FROM (${SUGGESTIONS}) s LEFT JOIN devices d ON d.mac_address = s.client_mac
     ORDER BY s.last_seen - s.first_seen DESC, s.client_mac LIMIT $1 OFFSET $2`,
    [query.page_size, (query.page - 1) * query.page_size],
  );
  return pageOf(items, total, query);
}
