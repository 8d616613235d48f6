import { strictEqual } from "node:assert/strict";
import { decode } from "../_testing.ts";
import { LinkType } from "../../capture/batch.ts";
import { PacketFlag } from "../api.ts";

// Hand-built datagrams: IPv4/UDP 192.168.0.1:40000 → 192.168.0.2:40001, and IPv6/UDP ::1 → ::1.
const IPV4_UDP = "4500 0020 0001 0000 4011 0000 c0a80001 c0a80002 9c40 9c41 000c 0000 01020304";
const IPV6_UDP = "6000 0000 000c 1140 " + "0000".repeat(7) + "0001 " + "0000".repeat(7) + "0001" +
  " 9c40 9c41 000c 0000 01020304";

Deno.test("loopback decodes the address family of NULL (either byte order) and LOOP headers", async (t) => {
  const cases: [string, number, string, number][] = [
    ["NULL AF_INET little-endian", LinkType.NULL, `02000000 ${IPV4_UDP}`, 4],
    ["NULL AF_INET big-endian", LinkType.NULL, `00000002 ${IPV4_UDP}`, 4],
    ["NULL AF_INET6 24 (NetBSD, OpenBSD)", LinkType.NULL, `18000000 ${IPV6_UDP}`, 6],
    ["NULL AF_INET6 28 (FreeBSD) big-endian", LinkType.NULL, `0000001c ${IPV6_UDP}`, 6],
    ["NULL AF_INET6 30 (macOS)", LinkType.NULL, `1e000000 ${IPV6_UDP}`, 6],
    ["LOOP AF_INET", LinkType.LOOP, `00000002 ${IPV4_UDP}`, 4],
    ["LOOP AF_INET6 24", LinkType.LOOP, `00000018 ${IPV6_UDP}`, 6],
  ];
  for (const [name, linkType, frame, version] of cases) {
    await t.step(name, () => {
      const { packet, engine } = decode(frame, { linkType });
      strictEqual(packet.flags, 0);
      strictEqual(packet.ipVersion, version);
      strictEqual(packet.srcPort, 40000);
      strictEqual(packet.payloadLength, 4);
      strictEqual(packet.srcMacOffset, -1);
      strictEqual(packet.dstMacOffset, -1);
      strictEqual(engine.stats.unsupportedLinkType, 0);
    });
  }
});

Deno.test("loopback passes other families to no dissector and flags a cut header", async (t) => {
  await t.step("AF_ISO (7): counted, not attributed", () => {
    const { packet, engine } = decode(`07000000 ${IPV4_UDP}`, { linkType: LinkType.NULL });
    strictEqual(packet.ipVersion, 0);
    strictEqual(packet.flags, 0);
    strictEqual(engine.stats.unaccounted, 1);
  });
  await t.step("LOOP is network byte order only: a little-endian family is not IP", () => {
    const { packet } = decode(`02000000 ${IPV4_UDP}`, { linkType: LinkType.LOOP });
    strictEqual(packet.ipVersion, 0);
  });
  for (const length of [0, 1, 3]) {
    await t.step(`${length} bytes of header`, () => {
      const frame = "02000000".slice(0, length * 2);
      const { packet, engine } = decode(frame, { linkType: LinkType.NULL, wirelen: 60 });
      strictEqual(packet.flags & PacketFlag.TRUNCATED, PacketFlag.TRUNCATED);
      strictEqual(engine.stats.malformed, 0);
    });
  }
});
