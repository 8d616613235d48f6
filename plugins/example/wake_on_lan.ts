/**
 * Wake-on-LAN magic packets (AMD "Magic Packet" white paper): six 0xFF bytes followed by the
 * target MAC repeated sixteen times, sent as EtherType 0x0842 or in a UDP datagram (port 9 or 7
 * by habit, any port in practice).
 *
 * An example drop-in plugin: load it with `netsentinel analyze FILE --plugins plugins/example`.
 */
import { Decoded, type Dissector, type Packet } from "../../dissectors/api.ts";

const MAGIC_LENGTH = 6 + 16 * 6;

/** True when a magic packet starts at `at` (strict: all 16 copies must match). */
function isMagic(packet: Packet, at: number): boolean {
  const bytes = packet.bytes;
  if (packet.end - at < MAGIC_LENGTH) return false;
  for (let i = 0; i < 6; i++) if (bytes[at + i] !== 0xff) return false;
  for (let copy = 1; copy < 16; copy++) {
    for (let i = 0; i < 6; i++) if (bytes[at + 6 + copy * 6 + i] !== bytes[at + 6 + i]) return false;
  }
  return true;
}

export const dissector: Dissector = {
  name: "wol",
  title: "Wake-on-LAN",
  registration: {
    tables: { ethertype: [0x0842], "udp.port": [9] },
    heuristics: ["udp"],
  },
  probe(packet) {
    return isMagic(packet, packet.payloadOffset);
  },
  decode(packet, out) {
    // Reached from the EtherType table (offset = after the Ethernet header) or as UDP payload.
    const at = packet.payloadOffset >= 0 ? packet.payloadOffset : packet.offset;
    if (!isMagic(packet, at)) return packet.fail("Wake-on-LAN", "no magic sequence", at);
    const mac = [...packet.bytes.subarray(at + 6, at + 12)].map((b) => b.toString(16).padStart(2, "0")).join(
      ":",
    );
    out.event(packet, { type: "wol.wake", severity: "notice", fields: { target: mac } });
    out.identity(packet, { mac }, {
      key: "wol.woken_by",
      value: packet.ipVersion ? "udp" : "ethernet",
      confidence: 50,
    });
    return Decoded.DONE;
  },
};
