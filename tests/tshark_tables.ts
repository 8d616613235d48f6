/**
 * tshark's statistics tables as an oracle: `-z endpoints,eth|ip|ipv6[,filter]` (packets and bytes
 * sent and received per address) and `-z conv,eth[,filter]` (frames and bytes per direction of each
 * MAC pair), run with `-n -q` and parsed from tshark's text output.
 *
 * What tshark counts: every frame the table's dissector saw (and the filter kept), its bytes being
 * the frame's original length on the wire (`frame.len`, not the captured length); a group
 * (multicast, broadcast) address is an endpoint like any other. Endpoint tables print exact
 * numbers; conversation tables print bytes as `N bytes` below 1000 and in SI units above (`26 kB`
 * for 26 000–26 999 bytes), which {@linkcode shownBytesMatch} compares.
 *
 * @module
 */

import { tshark } from "./tshark_fields.ts";

/** One row of an endpoints table. */
export interface EndpointRow {
  txPackets: number;
  txBytes: number;
  rxPackets: number;
  rxBytes: number;
}

/** One direction of a conversation: frames, and bytes as tshark shows them (`1860 bytes`, `26 kB`). */
export interface ConversationDirection {
  frames: number;
  bytes: string;
}

const ENDPOINT_ROW = /^(\S+)\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/;
const CONVERSATION_ROW =
  /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+ (?:bytes|[kMGT]B))\s+(\d+)\s+(\d+ (?:bytes|[kMGT]B))\s/;
const UNITS: Record<string, number> = { bytes: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/**
 * True when `actual` bytes print as `shown` in a conversation table (`N bytes` exactly, else `N kB`
 * for N thousand up to the next thousand, and so on).
 */
export function shownBytesMatch(actual: number, shown: string): boolean {
  const [count, unit] = shown.split(" ");
  return Math.floor(actual / UNITS[unit]) === Number(count);
}

/** Runs tshark with the `-z` tables and returns each table's text, in the order of `tables`. */
async function tables(path: string, kind: "Endpoints" | "Conversations", zArgs: readonly string[]) {
  const args = ["-n", "-q", "-r", path, ...zArgs.flatMap((table) => ["-z", table])];
  const sections = (await tshark(args)).split(/^=+$/m).filter((text) => text.includes(` ${kind}\n`));
  if (sections.length !== zArgs.length) {
    throw new Error(`Cannot parse tshark ${kind.toLowerCase()} of ${path}: ${sections.length} tables`);
  }
  // tshark prints the tables in the reverse order of their -z arguments.
  return sections.reverse();
}

/**
 * Endpoint tables of `path` (`-z` arguments such as `endpoints,eth` or `endpoints,ip,eth.src == M`),
 * from one tshark run: per table, the rows by address.
 */
export async function tsharkEndpoints(
  path: string,
  zArgs: readonly string[],
): Promise<Map<string, EndpointRow>[]> {
  return (await tables(path, "Endpoints", zArgs)).map((section) => {
    const rows = new Map<string, EndpointRow>();
    for (const line of section.split("\n")) {
      const row = ENDPOINT_ROW.exec(line);
      if (!row) continue;
      const [txPackets, txBytes, rxPackets, rxBytes] = row.slice(2).map(Number);
      rows.set(row[1], { txPackets, txBytes, rxPackets, rxBytes });
    }
    return rows;
  });
}

/**
 * Ethernet conversation tables of `path` (`conv,eth` or `conv,eth,<filter>`), from one tshark run:
 * per table, each direction `src>dst` with its frames and shown bytes.
 */
export async function tsharkEthConversations(
  path: string,
  zArgs: readonly string[],
): Promise<Map<string, ConversationDirection>[]> {
  return (await tables(path, "Conversations", zArgs)).map((section) => {
    const directions = new Map<string, ConversationDirection>();
    for (const line of section.split("\n")) {
      const row = CONVERSATION_ROW.exec(line);
      if (!row) continue;
      // "<-" columns are frames from the second address to the first, "->" from the first to the second.
      directions.set(`${row[2]}>${row[1]}`, { frames: Number(row[3]), bytes: row[4] });
      directions.set(`${row[1]}>${row[2]}`, { frames: Number(row[5]), bytes: row[6] });
    }
    return directions;
  });
}
