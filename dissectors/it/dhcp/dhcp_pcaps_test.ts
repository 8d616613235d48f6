import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { flushOfCapture } from "../../_testing.ts";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { SHARED_PCAPS, sharedCapture, sharedCaptureFiles } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { PLANT_GROUND_TRUTH, PLANT_HOSTS, writePlantSample } from "../../../samples/plant.ts";
import { MESSAGE_TYPE_NAMES } from "./_consts.ts";
import { DHCP_DISSECTORS } from "./mod.ts";
import { sightingsOf } from "./_test_frames.ts";

/** Runs a capture through an engine with the DHCP dissector and returns its flush. */
function analyze(path: string): Promise<FlushRecord> {
  return flushOfCapture(path, DHCP_DISSECTORS);
}

const FIELDS = [
  "frame.number",
  "dhcp.type",
  "dhcp.id",
  "dhcp.option.dhcp",
  "dhcp.hw.mac_addr",
  "dhcp.option.hostname",
  "dhcp.option.vendor_class_id",
  "dhcp.option.request_list_item",
  "dhcp.option.dhcp_server_id",
  "dhcp.ip.your",
  "dhcp.option.requested_ip_address",
  "dhcp.option.ip_address_lease_time",
  "dhcp.fqdn.name",
  "dhcp.ip.relay",
  "dhcp.option.mudurl",
  "dhcp.option.type",
  "dhcp.option.value",
] as const;

const DHCP_FILES = sharedCaptureFiles().filter((name) => /^dhcp_.*\.pcap$/.test(name));

Deno.test({
  name: `dhcp finds what tshark shows in every shared DHCP capture${notes(SHARED_PCAPS, TSHARK)}`,
  ignore: SHARED_PCAPS.skip || TSHARK.skip,
  async fn() {
    ok(DHCP_FILES.length > 0, "no dhcp_*.pcap in the shared folder");
    for (const name of DHCP_FILES) {
      const path = sharedCapture(name);
      const record = await analyze(path);
      strictEqual(record.stats.malformed, 0, `${name}: ${record.stats.problems.join("; ")}`);
      const identities = new Set(record.identities.map((i) => `${i.mac}|${i.ip}|${i.key}|${i.value}`));
      const hasIdentity = (mac: string | null, key: string, value: string) =>
        [...identities].some((id) => id.startsWith(`${mac}|`) && id.endsWith(`|${key}|${value}`));
      const rows = await tsharkFields(path, FIELDS, "dhcp");
      ok(rows.length > 0, `${name}: tshark shows no DHCP frame`);
      for (const row of rows) {
        const [[frame], [op], [xid], [type], [mac], hostname, vendor, prl, [server], [yiaddr]] = row;
        const [[requested], [lease], [fqdn], [relay], [mudUrl], types, values] = row.slice(10);
        // Raw option values line up with option types except the value-less End (the last type).
        const clientId = types.length === values.length + 1 ? values[types.indexOf("61")] : undefined;
        const where = `${name} frame ${frame}`;
        const expected: Record<string, string | number | undefined> = {
          xid: xid.replace(/^0x/, ""),
          client_mac: mac,
          server,
          your_ip: yiaddr === "0.0.0.0" ? undefined : yiaddr,
          requested_ip: requested,
          lease_seconds: lease === undefined ? undefined : Number(lease),
          relay: relay === "0.0.0.0" ? undefined : relay,
          hostname: hostname[0],
          vendor_class: vendor[0],
          fingerprint: prl.length ? prl.join(",") : undefined,
          fqdn,
        };
        const candidates = record.events.filter((e) =>
          e.type === `dhcp.${MESSAGE_TYPE_NAMES[Number(type)]}` && e.mac === mac
        );
        ok(
          candidates.some((e) => Object.entries(expected).every(([key, value]) => e.fields[key] === value)),
          `${where}: no event with ${JSON.stringify(expected)} in ${
            JSON.stringify(candidates.map((e) => e.fields))
          }`,
        );
        // Client messages (op 1) are about the client. In replies, option 12/81 is the name the server
        // offers the client, but option 60 is the server's own vendor class: deliberately reported
        // about the server (its identifier), not about the client MAC tshark prints on that line.
        const replyServer = op === "2" ? server : undefined;
        if (hostname.length) ok(hasIdentity(mac, "hostname", hostname[0]), `${where}: hostname`);
        if (fqdn !== undefined) ok(hasIdentity(mac, "dhcp.fqdn", fqdn), `${where}: fqdn`);
        if (vendor.length && op === "1") {
          ok(hasIdentity(mac, "dhcp.vendor_class", vendor[0]), `${where}: vendor`);
        }
        if (vendor.length && replyServer) {
          ok(
            [...identities].some((id) => id.includes(`|${replyServer}|dhcp.vendor_class|${vendor[0]}`)),
            `${where}: server vendor class`,
          );
        }
        if (clientId && op === "1") ok(hasIdentity(mac, "dhcp.client_id", clientId), `${where}: client id`);
        if (mudUrl !== undefined) ok(hasIdentity(mac, "dhcp.mud_url", mudUrl), `${where}: MUD URL`);
        if (prl.length) ok(hasIdentity(mac, "dhcp.fingerprint", prl.join(",")), `${where}: fingerprint`);
        if (replyServer) {
          ok(
            [...identities].some((id) => id.endsWith(`|${replyServer}|dhcp.server|true`)),
            `${where}: server`,
          );
        }
        if (Number(type) === 5 && yiaddr !== "0.0.0.0") {
          ok(sightingsOf(record).includes(`${mac} ${yiaddr} source 3`), `${where}: sighting`);
        }
      }
    }
  },
});

Deno.test("dhcp finds the plant sample's leases, host names and server", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await writePlantSample(path);
    const record = await analyze(path);
    strictEqual(record.stats.malformed, 0, record.stats.problems.join("; "));
    const dhcpEvents = record.events.filter((e) => e.type.startsWith("dhcp."));
    strictEqual(dhcpEvents.reduce((n, e) => n + e.count, 0), PLANT_GROUND_TRUTH.frames.dhcp);
    const server = PLANT_HOSTS.find((h) => h.role === "dhcp-server")!;
    for (const lease of PLANT_GROUND_TRUTH.dhcpLeases) {
      const types = dhcpEvents.filter((e) => e.mac === lease.mac).map((e) => e.type);
      deepStrictEqual(types, ["dhcp.discover", "dhcp.offer", "dhcp.request", "dhcp.ack"]);
      const ack = dhcpEvents.find((e) => e.mac === lease.mac && e.type === "dhcp.ack")!;
      strictEqual(ack.fields.your_ip, lease.ip);
      strictEqual(ack.fields.server, server.ip);
      ok(
        record.identities.some((i) =>
          i.mac === lease.mac && i.key === "hostname" && i.value === lease.hostname && i.confidence === 80
        ),
        `hostname of ${lease.mac}`,
      );
      ok(sightingsOf(record).includes(`${lease.mac} ${lease.ip} source 3`), `sighting of ${lease.mac}`);
    }
    ok(
      record.identities.some((i) =>
        i.key === "dhcp.server" && i.ip === server.ip && i.mac === server.mac && i.value === "true"
      ),
    );
  } finally {
    await Deno.remove(path);
  }
});
