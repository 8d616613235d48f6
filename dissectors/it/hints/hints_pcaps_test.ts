import { ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import type { Dissector } from "../../api.ts";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { hostName } from "./_text.ts";
import { HINT_DISSECTORS } from "./mod.ts";

/** Runs a capture through an engine with `extra` dissectors; returns its flush. */
function analyze(path: string, extra: Dissector[]): Promise<FlushRecord> {
  return flushOfCapture(path, extra);
}

const FIELDS = [
  "frame.number",
  "tls.handshake.extensions_server_name",
  "http.host",
  "http.user_agent",
  "http.server",
  "ip.src",
  "ip.dst",
  "udp.port",
  "tls.handshake.extensions_alpn_str",
  "tls.handshake.ciphersuite",
  "ipv6.src",
  "ipv6.dst",
] as const;
const FILTER = "tls.handshake.extensions_server_name or http.host or http.user_agent or http.server";

Deno.test({
  name: `hints find every SNI, Host, User-Agent and Server that tshark shows in the shared captures${
    notes(SHARED_PCAPS, TSHARK)
  }`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    const seen = new Set<string>();
    for (const name of sharedCaptureFiles()) {
      const path = sharedCapture(name);
      const rows = await tsharkFields(path, FIELDS, FILTER);
      if (rows.length === 0) continue;
      seen.add(name);
      const record = await analyze(path, HINT_DISSECTORS);
      // The hint dissectors add no malformed packet to what the built-ins already count.
      const baseline = await analyze(path, []);
      strictEqual(record.stats.malformed, baseline.stats.malformed, `${name}: ${record.stats.problems}`);
      const has = (ip: string, key: string, value: string) =>
        record.identities.some((i) => i.ip === ip && i.key === key && i.value === value);
      for (const [[frame], sni, host, agent, server, [ip4Src], [ip4Dst], udp, ...rest] of rows) {
        const where = `${name} frame ${frame}`;
        // IPv4 or IPv6 (the loopback captures carry HTTP over ::1).
        const [src, dst] = ip4Src ? [ip4Src, ip4Dst] : [rest[2][0], rest[3][0]];
        for (const value of sni) ok(has(dst, "hostname", value.toLowerCase()), `${where}: SNI ${value}`);
        const [alpn, ciphers] = rest;
        if (sni.length) {
          const expected = {
            sni: sni[0].toLowerCase(),
            alpn: alpn.join(",") || undefined,
            cipher_count: ciphers.length,
          };
          ok(
            record.events.some((e) =>
              e.type === "tls.client_hello" && e.dst_ip === dst &&
              Object.entries(expected).every(([key, value]) => e.fields[key] === value)
            ),
            `${where}: no tls.client_hello with ${JSON.stringify(expected)}`,
          );
        }
        // SSDP (HTTP over UDP) sends Host: 239.255.255.250:1900, an address and not a name.
        if (udp.length === 0) {
          for (const value of host) {
            const hostname = hostName(value);
            if (hostname) ok(has(dst, "hostname", hostname), `${where}: Host ${value}`);
            ok(record.events.some((e) => e.type === "http.request" && e.fields.host === value), where);
          }
          for (const value of agent) ok(has(src, "http.user_agent", value), `${where}: User-Agent ${value}`);
          for (const value of server) ok(has(src, "http.server", value), `${where}: Server ${value}`);
        } else {
          for (const value of server) ok(has(src, "ssdp.server", value), `${where}: SSDP SERVER ${value}`);
        }
      }
    }
    ok(seen.has("tls_clienthello_sni_chrome.pcap"), "tshark shows no SNI in the Chrome capture");
    ok(seen.has("http_get.pcap"), "tshark shows no HTTP header in http_get.pcap");
  },
});
