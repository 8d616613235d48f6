import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { testEngine } from "../../_testing.ts";
import type { DissectionEngine } from "../../engine.ts";
import { NAME_DISSECTORS } from "./mod.ts";
import { Problem } from "./_consts.ts";
import { frame } from "./_frames.ts";

/** First-level encoding of a NetBIOS name with its suffix (RFC 1001 14.1), as a wire label. */
function encoded(name: string, suffix: number): string {
  const raw = [...name.padEnd(15, " ")].map((char) => char.charCodeAt(0));
  raw.push(suffix);
  let text = "20";
  for (const byte of raw) {
    text += (0x41 + (byte >> 4)).toString(16) + (0x41 + (byte & 0x0f)).toString(16);
  }
  return text + "00";
}

/** A registration request (RFC 1002 4.2.2): question + additional NB record pointing at it. */
function registration(name: string, suffix: number, nbFlags: string, address: string): string {
  return "8001 2910 0001 0000 0000 0001" + encoded(name, suffix) + "0020 0001" +
    "c00c 0020 0001 000493e0 0006" + nbFlags + address;
}

function identities(engine: DissectionEngine): string[] {
  return engine.flush().identities.map((identity) =>
    `${identity.key}=${identity.value} @${identity.mac}/${identity.ip}`
  ).sort();
}

const NBNS = { srcPort: 137, dstPort: 137, srcIp: "10.0.0.1", dstIp: "10.0.0.255" };

Deno.test("nbns: a registration names the host and its workgroup", () => {
  const engine = testEngine(NAME_DISSECTORS);
  engine.dissectFrame(frame(registration("PC-OFFICE", 0x00, "0000", "0a000001"), NBNS));
  engine.dissectFrame(frame(registration("PC-OFFICE", 0x20, "0000", "0a000001"), NBNS));
  engine.dissectFrame(frame(registration("WORKGROUP", 0x00, "8000", "0a000001"), NBNS));
  engine.dissectFrame(frame(registration("WORKGROUP", 0x1e, "8000", "0a000001"), NBNS));
  deepStrictEqual(identities(engine), [
    "hostname=PC-OFFICE @02:00:00:00:00:01/10.0.0.1",
    "hostname=PC-OFFICE @null/10.0.0.1",
    "netbios.suffix=PC-OFFICE<00> @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=PC-OFFICE<00> @null/10.0.0.1",
    "netbios.suffix=PC-OFFICE<20> @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=PC-OFFICE<20> @null/10.0.0.1",
    "netbios.suffix=WORKGROUP<00> @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=WORKGROUP<00> @null/10.0.0.1",
    "netbios.suffix=WORKGROUP<1e> @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=WORKGROUP<1e> @null/10.0.0.1",
    "netbios.workgroup=WORKGROUP @02:00:00:00:00:01/10.0.0.1",
    "netbios.workgroup=WORKGROUP @null/10.0.0.1",
  ]);
});

Deno.test("nbns: a server's positive response names the address, not the server", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const response = "8002 8500 0000 0001 0000 0000" + encoded("FILESRV", 0x20) +
    "0020 0001 000493e0 0006 0000 0a000063";
  engine.dissectFrame(frame(response, { ...NBNS, srcIp: "10.0.0.5" }));
  deepStrictEqual(identities(engine), [
    "hostname=FILESRV @null/10.0.0.99",
    "netbios.suffix=FILESRV<20> @null/10.0.0.99",
  ]);
});

Deno.test("nbns: a node status response lists the node's names", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const names = [["PRINTER1", 0x00, "0400"], ["WORKGROUP", 0x00, "8400"]].map(([name, suffix, flags]) =>
    [...(name as string).padEnd(15, " ")].map((c) => c.charCodeAt(0).toString(16)).join("") +
    (suffix as number).toString(16).padStart(2, "0") + flags
  ).join("");
  const rdata = "02" + names + "00".repeat(46);
  const response = "8003 8400 0000 0001 0000 0000" + encoded("*", 0x00) +
    "0021 0001 00000000" +
    (rdata.length / 2).toString(16).padStart(4, "0") + rdata;
  strictEqual(engine.dissectFrame(frame(response, NBNS)).problem, "");
  deepStrictEqual(identities(engine), [
    "hostname=PRINTER1 @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=PRINTER1<00> @02:00:00:00:00:01/10.0.0.1",
    "netbios.suffix=WORKGROUP<00> @02:00:00:00:00:01/10.0.0.1",
    "netbios.workgroup=WORKGROUP @02:00:00:00:00:01/10.0.0.1",
  ]);
});

Deno.test("nbns: queries are events; a name that is not first-level encoded is malformed", () => {
  const engine = testEngine(NAME_DISSECTORS);
  const query = "8004 0110 0001 0000 0000 0000" + encoded("WPAD", 0x00) + "0020 0001";
  engine.dissectFrame(frame(query, NBNS));
  const bad = engine.dissectFrame(frame(query.replace("2046", "2066"), NBNS));
  strictEqual(bad.problem, Problem.NETBIOS_ENCODING);
  const flush = engine.flush();
  deepStrictEqual(flush.identities, []);
  deepStrictEqual(flush.events.map((event) => event.fields), [{ name: "WPAD<00>", qtype: "NB" }]);
});
