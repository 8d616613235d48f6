import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { testEngine } from "../../_testing.ts";
import { PacketFlag } from "../../packet.ts";
import type { DissectionEngine } from "../../engine.ts";
import { NAME_DISSECTORS } from "./mod.ts";
import { Problem } from "./_consts.ts";
import { frame, wireName } from "./_frames.ts";
import { sequenceOf, withSequence } from "../hints/_test_frames.ts";

/** Identities as `source key value @mac/ip` lines, sorted. */
function identities(engine: DissectionEngine): string[] {
  return engine.flush().identities.map((identity) =>
    `${identity.source} ${identity.key}=${identity.value} @${identity.mac}/${identity.ip} ${identity.confidence}`
  ).sort();
}

// Response to "host.example A": answer name is a pointer to the question (c00c), 10.0.0.9.
const RESPONSE = "1234 8180 0001 0001 0000 0000" + wireName("host.example") + "0001 0001" +
  "c00c 0001 0001 0000003c 0004 0a000009";

Deno.test("dns: an A answer names its address; the query is an event", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const query = "1234 0100 0001 0000 0000 0000" + wireName("host.example") + "0001 0001";
  engine.dissectFrame(frame(query, { srcPort: 40000, dstPort: 53 }));
  engine.dissectFrame(frame(query, { srcPort: 40001, dstPort: 53 }));
  const packet = engine.dissectFrame(frame(RESPONSE));
  strictEqual(packet.flags & PacketFlag.MALFORMED, 0);
  const flush = engine.flush();
  deepStrictEqual(flush.identities.map((identity) => [identity.ip, identity.value, identity.source]), [
    ["10.0.0.9", "host.example", "dns"],
  ]);
  strictEqual(flush.events.length, 1);
  deepStrictEqual(flush.events[0].fields, { name: "host.example", qtype: "A" });
  strictEqual(flush.events[0].count, 2);
});

Deno.test("dns: a PTR answer names the address of the reverse name", () => {
  const engine = testEngine(NAME_DISSECTORS);
  // RDATA "nas.lan" = 03 6e6173 03 6c616e 00: 9 bytes.
  const response = "0001 8180 0001 0001 0000 0000" + wireName("7.2.0.10.in-addr.arpa") + "000c 0001" +
    "c00c 000c 0001 0000003c 0009" + wireName("nas.lan");
  engine.dissectFrame(frame(response));
  deepStrictEqual(identities(engine), ["dns hostname=nas.lan @null/10.0.2.7 50"]);
});

Deno.test("dns over TCP: two length-prefixed messages in one segment; a split one is joined", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const message = RESPONSE.replaceAll(" ", "");
  const length = (message.length / 2).toString(16).padStart(4, "0");
  const second = message.replace("0a000009", "0a00000a");
  engine.dissectFrame(frame(length + message + length + second, { tcp: true }));
  // A third message over two segments, the second following the first in sequence.
  const third = length + message.replace("0a000009", "0a00000b");
  const head = frame(third.slice(0, 24), { tcp: true, srcPort: 53, dstPort: 40002 });
  const rest = frame(third.slice(24), { tcp: true, srcPort: 53, dstPort: 40002 });
  withSequence(rest, sequenceOf(head) + 12);
  strictEqual(engine.dissectFrame(head).flags, 0);
  strictEqual(engine.dissectFrame(rest).flags, 0);
  deepStrictEqual(identities(engine), [
    "dns hostname=host.example @null/10.0.0.10 50",
    "dns hostname=host.example @null/10.0.0.11 50",
    "dns hostname=host.example @null/10.0.0.9 50",
  ]);
  const short = engine.dissectFrame(frame("0004 12345678", { tcp: true }));
  strictEqual(short.problem, Problem.TCP_LENGTH);
});

Deno.test("dns: malformed answers are refused with a constant problem, and nothing is reported", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const looping = RESPONSE.replace("c00c 0001 0001", "c01e 0001 0001"); // the answer points at itself
  strictEqual(engine.dissectFrame(frame(looping)).problem, Problem.POINTER_FORWARD);
  const loop = "0001 8180 0001 0000 0000 0000 0161 0162 c00e 0001 0001"; // back into its own labels
  strictEqual(engine.dissectFrame(frame(loop)).problem, Problem.POINTER_LOOP);
  const past = RESPONSE.replace("0004 0a000009", "0010 0a000009");
  strictEqual(engine.dissectFrame(frame(past)).problem, Problem.RDATA_PAST_END);
  const wide = RESPONSE.replace("0004 0a000009", "0003 0a0000");
  strictEqual(engine.dissectFrame(frame(wide)).problem, Problem.ADDRESS_LENGTH);
  strictEqual(engine.dissectFrame(frame("1234 8180 0001")).problem, Problem.HEADER);
  const flush = engine.flush();
  deepStrictEqual(flush.identities, []);
  strictEqual(flush.stats.malformed, 5);
});

Deno.test("llmnr: an answer for the sender's own address also names the sender", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const response = "7dcc 8000 0001 0001 0000 0000" + wireName("pc1") + "0001 0001" +
    "c00c 0001 0001 0000001e 0004 0a000001";
  engine.dissectFrame(frame(response, { srcPort: 5355, dstPort: 50000, srcIp: "10.0.0.1" }));
  deepStrictEqual(identities(engine), [
    "llmnr hostname=pc1 @02:00:00:00:00:01/10.0.0.1 50",
    "llmnr hostname=pc1 @null/10.0.0.1 50",
  ]);
});

Deno.test("mdns: services, instance and model from PTR, SRV and _device-info TXT", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const txt = "0c" + [..."model=J105AP"].map((c) => c.charCodeAt(0).toString(16)).join("") + "05" +
    "6f73783d31";
  const ptrTarget = "07 5072696e746572 c00c"; // "Printer" + pointer to "_ipp._tcp.local" (offset 12)
  const good = "0000 8400 0000 0003 0000 0000" +
    wireName("_ipp._tcp.local") + "000c 0001 00001194 000a" + ptrTarget +
    "c027 0021 8001 00000078 0012 0000 0000 0277" + wireName("host.local") + // SRV on "Printer…" +
    wireName("Kitchen._device-info._tcp.local") + "0010 0001 00001194" +
    (txt.length / 2).toString(16).padStart(4, "0") + txt;
  const packet = engine.dissectFrame(frame(good, { srcPort: 5353, dstPort: 5353 }));
  strictEqual(packet.problem, "");
  deepStrictEqual(identities(engine), [
    "mdns mdns.instance=Printer @02:00:00:00:00:01/10.0.0.1 70",
    "mdns mdns.model=J105AP @02:00:00:00:00:01/10.0.0.1 70",
    "mdns mdns.service=_ipp._tcp @02:00:00:00:00:01/10.0.0.1 70",
  ]);
});
