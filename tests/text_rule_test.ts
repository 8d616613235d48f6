/**
 * The one text rule end to end: the same bytes heard as an LLDP system name (IEEE 802.1AB TLV 5),
 * a DHCP host name (RFC 2132 option 12) and a CDP device id (TLV 0x0001) are stored as the same
 * `hostname` by `analyze` (the sandboxed dissector workers, the aggregator, the inventory
 * document). Each case is one kind of awkward bytes: valid UTF-8, invalid UTF-8, control
 * characters, NUL padding, space padding, a backslash.
 *
 * tshark is the oracle for the frames: it must decode each one as its protocol, with no malformed,
 * checksum or warning expert item, and find the name field holding exactly the bytes of the case.
 * The stored text itself is not compared with tshark's display, which differs per protocol (tshark
 * reads these fields as ASCII, a byte ≥ 0x80 becoming one U+FFFD each, and keeps trailing spaces):
 * it is compared with the rule's documented result (dissectors/text.ts).
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import {
  DhcpPort,
  DhcpType,
  LldpCapability,
  MAC_BROADCAST,
  parseMac,
  udpPayloadOffset,
  writeCdpFrame,
  writeDhcp,
  writeLldpFrame,
  writeUdpFrame,
} from "../samples/frames.ts";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { expertProblems, TSHARK, tsharkFieldHex } from "./tshark_fields.ts";
import { inventoryOf } from "./tshark_oracle.ts";

const encoder = new TextEncoder();

function bytesOf(...parts: (string | number[])[]): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((part) => typeof part === "string" ? [...encoder.encode(part)] : part),
  );
}

/** Each case: its bytes, and the text the rule stores for them. */
const CASES: { name: string; bytes: Uint8Array; stored: string }[] = [
  { name: "valid UTF-8", bytes: bytesOf("Pompe-Stéphane"), stored: "Pompe-Stéphane" },
  { name: "invalid UTF-8", bytes: bytesOf("plc", [0xff, 0xc3], "-1"), stored: "plc\ufffd\ufffd-1" },
  {
    name: "control characters",
    bytes: bytesOf("sw", [0x1b], "[31mred", [0x07]),
    stored: "sw\\x1b[31mred\\x07",
  },
  { name: "NUL padding", bytes: bytesOf("rtu-4", [0, 0, 0, 0]), stored: "rtu-4" },
  { name: "space padding", bytes: bytesOf("hmi-2   "), stored: "hmi-2" },
  { name: "backslash", bytes: bytesOf("OT\\line3"), stored: "OT\\x5cline3" },
];

/** MAC of the device that sends case `i` over protocol `p` (0 LLDP, 1 DHCP, 2 CDP). */
function macOf(i: number, p: number): string {
  return `02:00:00:00:${(i + 1).toString(16).padStart(2, "0")}:0${p + 1}`;
}

function hexOf(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Writes, per case, one LLDP, one DHCP DISCOVER and one CDP frame carrying the case's bytes. */
async function writeCapture(path: string): Promise<void> {
  const writer = await PcapWriter.create(path);
  const buf = new Uint8Array(1514);
  let second = 1_700_000_000;
  CASES.forEach(({ bytes }, i) => {
    const lldp = writeLldpFrame(buf, 0, {
      chassisMac: parseMac(macOf(i, 0)),
      portId: "ge-0/0/1",
      systemName: bytes,
      systemDescription: "switch",
      capabilities: LldpCapability.BRIDGE,
    });
    writer.write(second++, 0, buf.subarray(0, lldp));
    const client = parseMac(macOf(i, 1));
    const frame = {
      eth: { dst: MAC_BROADCAST, src: client },
      ip: { version: 4 as const, src: 0, dst: 0xffffffff },
    };
    const dhcp = writeDhcp(buf, udpPayloadOffset(frame), {
      type: DhcpType.DISCOVER,
      xid: 0x1000 + i,
      clientMac: client,
      hostname: bytes,
    });
    const udp = writeUdpFrame(buf, 0, frame, { srcPort: DhcpPort.CLIENT, dstPort: DhcpPort.SERVER }, dhcp);
    writer.write(second++, 0, buf.subarray(0, udp));
    const cdp = writeCdpFrame(buf, 0, { src: parseMac(macOf(i, 2)), deviceId: bytes, portId: "Gi0/1" });
    writer.write(second++, 0, buf.subarray(0, cdp));
  });
  writer.close();
}

Deno.test({
  name: `the same name bytes over LLDP, DHCP and CDP are stored as one hostname${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn(t) {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/names.pcap`;
    await writeCapture(path);

    await t.step("tshark decodes every frame and finds the name bytes in each", async () => {
      deepStrictEqual(await expertProblems(path), []);
      const fields = ["lldp.tlv.system.name", "dhcp.option.hostname", "cdp.deviceid"];
      const rows = await tsharkFieldHex(path, fields);
      deepStrictEqual(rows.length, CASES.length * 3);
      CASES.forEach(({ bytes }, i) => {
        fields.forEach((field, p) =>
          deepStrictEqual(rows[3 * i + p][field], [hexOf(bytes)], `${field} #${i}`)
        );
      });
    });

    await t.step("analyze stores the rule's text for all three", async () => {
      const doc = await inventoryOf(path);
      const hostnames = new Map<string, string[]>();
      for (const identity of doc.identities) {
        if (identity.key !== "hostname") continue;
        const mac = String(identity.mac);
        hostnames.set(mac, [...hostnames.get(mac) ?? [], String(identity.value)]);
      }
      CASES.forEach(({ name, stored }, i) => {
        const heard = [0, 1, 2].map((p) => hostnames.get(macOf(i, p)));
        deepStrictEqual(heard, [[stored], [stored], [stored]], `${name}: LLDP, DHCP, CDP`);
      });
    });
    await Deno.remove(dir, { recursive: true });
  },
});
