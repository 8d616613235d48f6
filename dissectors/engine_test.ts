import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { decode, hex, testEngine } from "./_testing.ts";
import { Decoded, type Dissector, PacketFlag } from "./api.ts";
import { DissectorRegistry, RegistrationError } from "./registry.ts";
import { BUILTIN_DISSECTORS } from "./builtin.ts";
import { LinkType } from "../capture/batch.ts";

// Hand-built TCP SYN over QinQ (outer 200 / inner 100), 10.0.0.1:40000 -> 10.0.0.2:502, MSS option.
const TCP_OVER_QINQ = hex(`
  020000000002 020000000001 88a8 00c8 8100 0064 0800
  4500 002c 0001 4000 4006 0000 0a000001 0a000002
  9c40 01f6 00000001 00000000 6002 ffff 0000 0000 0204 05b4
`);

Deno.test("engine survives a TCP-over-QinQ frame cut at every byte and counts it malformed", () => {
  const engine = testEngine();
  for (let length = 0; length < TCP_OVER_QINQ.length; length++) {
    const packet = engine.dissectFrame(TCP_OVER_QINQ.subarray(0, length));
    strictEqual(packet.flags & PacketFlag.MALFORMED, PacketFlag.MALFORMED, `frame cut at ${length} bytes`);
  }
  const whole = engine.dissectFrame(TCP_OVER_QINQ);
  strictEqual(whole.flags, 0);
  strictEqual(whole.dstPort, 502);
  strictEqual(engine.stats.malformed, TCP_OVER_QINQ.length);
  strictEqual(engine.stats.packets, TCP_OVER_QINQ.length + 1);
  strictEqual(engine.stats.truncated, 0);
});

Deno.test("engine counts a frame cut by the snapshot length as truncated, not malformed", () => {
  const engine = testEngine();
  for (let length = 14; length < TCP_OVER_QINQ.length; length++) {
    engine.dissectFrame(TCP_OVER_QINQ.subarray(0, length), { wirelen: TCP_OVER_QINQ.length });
  }
  strictEqual(engine.stats.malformed, 0);
  strictEqual(engine.stats.truncated > 0, true);
});

Deno.test("engine decodes each supported link type", async (t) => {
  const ipv4Udp = "4500 0020 0001 0000 4011 0000 c0a80001 c0a80002 9c40 9c41 000c 0000 01020304";
  const cases: [string, number, string, { srcMac: boolean; dstMac: boolean }][] = [
    ["Ethernet", LinkType.ETHERNET, `ffffffffffff 020000000001 0800 ${ipv4Udp}`, {
      srcMac: true,
      dstMac: true,
    }],
    // Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, address length 6, protocol IPv4.
    ["SLL", LinkType.LINUX_SLL, `0000 0001 0006 020000000001 0000 0800 ${ipv4Udp}`, {
      srcMac: true,
      dstMac: false,
    }],
    // Linux cooked v2: protocol IPv4, reserved, ifindex 2, ARPHRD_ETHER, packet type 0, address length 6.
    [
      "SLL2",
      LinkType.LINUX_SLL2,
      `0800 0000 00000002 0001 00 06 020000000001 0000 ${ipv4Udp}`,
      { srcMac: true, dstMac: false },
    ],
    ["raw IP", LinkType.RAW, ipv4Udp, { srcMac: false, dstMac: false }],
    ["raw IPv4", LinkType.IPV4, ipv4Udp, { srcMac: false, dstMac: false }],
  ];
  for (const [name, linkType, frame, macs] of cases) {
    await t.step(name, () => {
      const { packet } = decode(frame, { linkType });
      strictEqual(packet.flags, 0);
      strictEqual(packet.srcPort, 40000);
      strictEqual(packet.dstPort, 40001);
      strictEqual(packet.payloadLength, 4);
      strictEqual(packet.srcMacOffset >= 0, macs.srcMac);
      strictEqual(packet.dstMacOffset >= 0, macs.dstMac);
    });
  }
});

Deno.test("engine follows 802.3 LLC/SNAP to the EtherType table and the SNAP table", () => {
  // RFC 1042 SNAP with OUI 0 carrying ARP (hand-built).
  const snapArp = decode(
    "ffffffffffff 020000000001 0024 aaaa03 000000 0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002",
  ).packet;
  strictEqual(snapArp.ethertype, 0x0806);
  // cdp_cisco3560.pcap frame 1 header: 802.3 length 0x0176, SNAP OUI 00000c PID 2000 (CDP).
  const cdp = decode("01000ccccccc 001c0f1aa1cd 0176 aaaa03 00000c 2000 0200b4").packet;
  strictEqual(cdp.nextKey, 0x00000c2000);
  strictEqual(cdp.ethertype, -1);
});

Deno.test("engine stops at an unknown link type and counts it", () => {
  const { engine } = decode("00112233", { linkType: 147 });
  strictEqual(engine.stats.unsupportedLinkType, 1);
  strictEqual(engine.stats.unaccounted, 1);
});

const thrower: Dissector = {
  name: "thrower",
  title: "Always throws",
  registration: { tables: { "udp.port": [9999] } },
  decode() {
    throw new Error("boom");
  },
};

Deno.test("engine catches a throwing plugin, counts it, and disables it past the limit", () => {
  const engine = testEngine([thrower]);
  const frame = hex(
    "ffffffffffff 020000000001 0800 4500 0020 0001 0000 4011 0000 0a000001 0a000002 270f 270f 000c 0000 01020304",
  );
  for (let i = 0; i < 150; i++) engine.dissectFrame(frame);
  const index = engine.registry.indexOf("thrower");
  strictEqual(engine.stats.dissectorErrors[index], 100);
  deepStrictEqual(engine.stats.disabledDissectors, [{
    name: "thrower",
    reason: "threw 100 times; last error: boom",
  }]);
  strictEqual(engine.stats.packets, 150);
  strictEqual(engine.registry.udpPort[9999], -1);
});

Deno.test("engine describes any thrown value without letting it escape its catch", () => {
  const values: [unknown, string][] = [
    [Object.create(null), "a thrown object that is not an Error"],
    [
      new Proxy({}, {
        get: () => {
          throw new Error("trap");
        },
      }),
      "a thrown object that is not an Error",
    ],
    [
      Object.defineProperty(new Error(), "message", {
        get: () => {
          throw new Error("getter");
        },
      }),
      "a thrown value that cannot be described",
    ],
    [() => 0, "a thrown function that is not an Error"],
    ["text", "text"],
  ];
  for (const [value, described] of values) {
    const engine = testEngine([{
      ...thrower,
      decode: () => {
        throw value;
      },
    }]);
    const frame = hex(
      "ffffffffffff 020000000001 0800 4500 0020 0001 0000 4011 0000 0a000001 0a000002 270f 270f 000c 0000 01020304",
    );
    engine.dissectFrame(frame);
    strictEqual(engine.stats.problems[0], `frame 1: Dissector "thrower" threw on frame 1: ${described}`);
  }
});

Deno.test("engine hands a flow to the heuristic dissector whose probe accepts it", () => {
  let decoded = 0;
  const magic: Dissector = {
    name: "magic",
    title: "Magic bytes protocol",
    registration: { heuristics: ["tcp"] },
    probe: (packet) => packet.payloadLength >= 2 && packet.bytes[packet.payloadOffset] === 0xca,
    decode() {
      decoded++;
      return Decoded.DONE;
    },
  };
  const engine = testEngine([magic]);
  const frame = hex(
    "ffffffffffff 020000000001 0800 4500 002a 0001 0000 4006 0000 0a000001 0a000002 3039 d431 00000001 00000000 5018 ffff 0000 0000 cafe",
  );
  engine.dissectFrame(frame);
  // The next segment of the flow (sequence number 3): the flow stays with the heuristic's choice.
  const next = frame.slice();
  next[41] = 3;
  engine.dissectFrame(next);
  strictEqual(decoded, 2);
  const flush = engine.flush();
  strictEqual(flush.dissectorNames[flush.flows.app[0]], "magic");
});

Deno.test("registry refuses conflicting, out-of-range and wrong-version registrations", () => {
  const cases: [Dissector, string][] = [
    [
      { ...thrower, name: "clash", registration: { tables: { ethertype: [0x0800] } } },
      'Cannot register dissector "clash" on ethertype 2048: already taken by "ip"',
    ],
    [
      { ...thrower, name: "wide", registration: { tables: { "tcp.port": [70000] } } },
      'Cannot register dissector "wide" on tcp.port 70000: keys of this table are integers from 0 to 65535',
    ],
    [
      { ...thrower, name: "old", apiVersion: 0 },
      'Cannot register dissector "old": written for plugin API 0, this NetSentinel provides API 1',
    ],
    [
      { ...thrower, name: "blind", registration: { heuristics: ["udp"] } },
      'Cannot register dissector "blind" as a udp heuristic: it has no probe()',
    ],
  ];
  for (const [dissector, message] of cases) {
    throws(() => new DissectorRegistry([...BUILTIN_DISSECTORS, dissector]), new RegistrationError(message));
  }
});

Deno.test("registry moves a dissector to the configured ports instead of its own", () => {
  const registry = new DissectorRegistry([...BUILTIN_DISSECTORS, thrower], {
    ports: { thrower: { "udp.port": [7777] } },
  });
  strictEqual(registry.udpPort[9999], -1);
  strictEqual(registry.udpPort[7777], registry.indexOf("thrower"));
});

Deno.test("a dissector reporting a new value with every packet cannot grow the flush beyond its limit", () => {
  let n = 0;
  const chatty: Dissector = {
    name: "chatty",
    title: "reports a fresh value per packet",
    registration: { tables: { "udp.port": [4999] } },
    decode(packet, out) {
      n++;
      out.identity(packet, "src", { key: "chatty.sequence", value: String(n), confidence: 10 });
      out.event(packet, { type: "chatty.tick", severity: "info", fields: { sequence: n } });
      return Decoded.DONE;
    },
  };
  const engine = testEngine([chatty]);
  engine.observations.maxRecords = 1000;
  const frame = hex(
    "020000000002 020000000001 0800 4500 0020 0001 0000 4011 0000 0a000001 0a000002 c350 1387 000c 0000 00000000",
  );
  for (let i = 0; i < 2500; i++) engine.dissectFrame(frame);
  const first = engine.flush();
  strictEqual(first.identities.length, 1000);
  strictEqual(first.events.length, 1000);
  strictEqual(first.stats.observationsDropped, 3000);
  // The next flush starts afresh; the counter is cumulative, like every engine counter.
  engine.dissectFrame(frame);
  const second = engine.flush();
  strictEqual(second.identities.length, 1);
  strictEqual(second.stats.observationsDropped, 3000);
});
