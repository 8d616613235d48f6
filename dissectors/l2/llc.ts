/**
 * IEEE 802.2 LLC header, and SNAP (RFC 1042) behind it.
 *
 * ```
 * +------+------+---------+                 SNAP (DSAP = SSAP = 0xAA, control 0x03):
 * | DSAP | SSAP | control |  payload…       +------+------+------+-----------+-----------+
 * +------+------+---------+                 | 0xAA | 0xAA | 0x03 | OUI (3 B) | PID (2 B) |
 *                1 byte (U format, low bits 11) or 2 bytes (I/S format)
 * ```
 * SNAP with OUI 00-00-00 carries an EtherType (RFC 1042); other OUIs (Cisco 00-00-0C for CDP,
 * VTP, DTP…) go to the SNAP table keyed by `OUI << 16 | PID`.
 *
 * @module
 */

import { Decoded, type Dissector, Table } from "../api.ts";
import { EtherType } from "../ethertypes.ts";

const SNAP_SAP = 0xaa;

/** LLC / SNAP dissector, reached from 802.3 length frames. */
export const llc: Dissector = {
  name: "llc",
  title: "IEEE 802.2 Logical Link Control",
  registration: { tables: { ethertype: [EtherType.LENGTH_8023] } },
  decode(packet) {
    const at = packet.offset;
    if (packet.end - at < 3) return packet.truncated("LLC header", at);
    const bytes = packet.bytes;
    const dsap = bytes[at];
    const control = bytes[at + 2];
    const headerLength = (control & 0x03) === 0x03 ? 3 : 4;
    if (dsap === SNAP_SAP && bytes[at + 1] === SNAP_SAP && control === 0x03) {
      if (packet.end - at < 8) return packet.truncated("SNAP header", at);
      const oui = (bytes[at + 3] << 16) | (bytes[at + 4] << 8) | bytes[at + 5];
      const pid = packet.view.getUint16(at + 6);
      if (oui === 0) {
        packet.ethertype = pid;
        return packet.next(Table.ETHERTYPE, pid, at + 8);
      }
      return packet.next(Table.SNAP, oui * 0x10000 + pid, at + 8);
    }
    if (packet.end - at < headerLength) return packet.truncated("LLC header", at);
    if (dsap === 0xff && bytes[at + 1] === 0xff) {
      // Novell "raw 802.3": IPX directly after the length field, no LLC header at all.
      return Decoded.DONE;
    }
    return packet.next(Table.LLC_SAP, dsap, at + headerLength);
  },
};
