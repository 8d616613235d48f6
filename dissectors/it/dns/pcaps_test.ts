// The name-service dissectors against tshark on the shared captures (issue 5 checks).
//
// Deliberately ignored:
// - NBNS names in name queries (opcode 0, R = 0): they name the host looked for, not the sender,
//   so they are `nbns.query` events, not identities (the only NBNS names of these captures);
// - A/AAAA/PTR records of queries: mDNS known answers (RFC 6762 7.1) are other hosts' cached
//   records; mDNS probe records (authority section) are reported but not compared here.
import { ok, strictEqual } from "node:assert/strict";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK } from "../../../tests/tshark_fields.ts";
import { flushOfCapture } from "../../_testing.ts";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { NAME_DISSECTORS } from "./mod.ts";

function analyse(name: string): Promise<FlushRecord> {
  return flushOfCapture(sharedCapture(name), NAME_DISSECTORS);
}

async function tshark(name: string, filter: string, fields: string[]): Promise<string[][]> {
  const args = [
    "-r",
    sharedCapture(name),
    "-Y",
    filter,
    "-T",
    "fields",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=|",
  ];
  for (const field of fields) args.push("-e", field);
  TSHARK.check();
  const result = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "null" }).output();
  strictEqual(result.code, 0, "tshark failed");
  return new TextDecoder().decode(result.stdout).split("\n").filter((line) => line !== "").map((line) =>
    line.split("\t")
  );
}

type Json = string | null | Json[] | { [key: string]: Json };

/** Every record object (one with `dns.resp.name`) under `node`; duplicated keys come as arrays. */
function records(node: Json, found: Record<string, Json>[]): void {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) records(item, found);
    return;
  }
  if ("dns.resp.name" in node) found.push(node);
  for (const value of Object.values(node)) records(value, found);
}

/** Name↔address pairs tshark shows in responses: [owner, address] for A/AAAA, [target, reverse owner] for PTR. */
async function expectedPairs(name: string): Promise<{ ip: string; value: string }[]> {
  const args = [
    "-r",
    sharedCapture(name),
    "-Y",
    "dns.flags.response == 1",
    "-T",
    "json",
    "--no-duplicate-keys",
  ];
  TSHARK.check();
  const result = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "null" }).output();
  strictEqual(result.code, 0, "tshark failed");
  const found: Record<string, Json>[] = [];
  records(JSON.parse(new TextDecoder().decode(result.stdout)), found);
  const pairs: { ip: string; value: string }[] = [];
  for (const record of found) {
    const owner = String(record["dns.resp.name"]);
    for (const key of ["dns.a", "dns.aaaa"]) {
      if (typeof record[key] === "string") pairs.push({ ip: record[key] as string, value: owner });
    }
    const target = record["dns.ptr.domain_name"];
    if (typeof target === "string" && /\.(in-addr|ip6)\.arpa$/i.test(owner)) {
      pairs.push({ ip: reverseText(owner), value: target });
    }
  }
  return pairs;
}

/** The address a reverse name stands for, in the aggregator's text form (test-side decoder). */
function reverseText(owner: string): string {
  const labels = owner.toLowerCase().split(".");
  if (owner.toLowerCase().endsWith(".in-addr.arpa")) return labels.slice(0, 4).reverse().join(".");
  const nibbles = labels.slice(0, 32).reverse().join("");
  const groups = nibbles.match(/.{4}/g)!.map((group) => group.replace(/^0+(?=.)/, ""));
  const text = groups.join(":");
  // Compress the longest run of zero groups, as formatIpv6 does (RFC 5952 4.2).
  const runs = [...text.matchAll(/(^|:)(0(:0)+)(:|$)/g)].sort((x, y) => y[2].length - x[2].length);
  if (runs.length === 0) return text;
  const run = runs[0];
  return text.slice(0, run.index) + "::" + text.slice(run.index! + run[0].length);
}

function hasHostname(flush: FlushRecord, ip: string, value: string): boolean {
  return flush.identities.some((identity) =>
    identity.key === "hostname" && identity.ip === ip && identity.value.toLowerCase() === value.toLowerCase()
  );
}

for (const name of ["dns_mdns_llmnr_mix.pcap", "mdns_ipv4_ipv6.pcap", "nbns_llmnr_windows_host.pcap"]) {
  Deno.test({
    name: `name services: every A/AAAA/PTR pair tshark shows in ${name} is an identity${
      notes(SHARED_PCAPS, TSHARK)
    }`,
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
    async fn() {
      const flush = await analyse(name);
      const pairs = await expectedPairs(name);
      ok(pairs.length > 0, "tshark should show answers");
      for (const pair of pairs) {
        ok(hasHostname(flush, pair.ip, pair.value), `missing ${pair.value} = ${pair.ip}`);
      }
      strictEqual(flush.stats.malformed, 0, flush.stats.problems.join("\n"));
    },
  });
}

Deno.test({
  name: `name services: every NBNS name tshark shows is reported${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const file = "nbns_llmnr_windows_host.pcap";
    const flush = await analyse(file);
    const rows = await tshark(file, "nbns", ["nbns.flags.response", "nbns.flags.opcode", "nbns.name"]);
    ok(rows.length > 0);
    for (const [response, opcode, names] of rows) {
      for (const nbName of names.split("|")) {
        if (response === "0" && opcode === "0") {
          // A query names the host looked for: an event, not an identity of the sender.
          ok(
            flush.events.some((event) => event.type === "nbns.query" && event.fields.name === nbName),
            nbName,
          );
        } else {
          ok(
            flush.identities.some((identity) =>
              identity.key === "netbios.suffix" && identity.value === nbName
            ),
          );
        }
      }
    }
  },
});

Deno.test({
  name: `name services: mDNS gives the sender's hostname with its MAC${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const flush = await analyse("mdns_ipv4_ipv6.pcap");
    const own = flush.identities.find((identity) =>
      identity.key === "hostname" && identity.ip === "10.0.2.7" && identity.mac !== null
    );
    strictEqual(own?.value, "johanna-QEMU-Virtual-Machine.local");
    strictEqual(own?.source, "mdns");
    strictEqual(own?.confidence, 70);
    ok(flush.events.some((event) => event.type === "mdns.query" && event.fields.name === "_ipp._tcp.local"));
  },
});
