/**
 * The L2 neighbour dissectors against tshark on the shared captures and on the project's sample.
 *
 * For every LLDP, CDP and BPDU frame, each value tshark shows for the fields below must be reported
 * as an identity of the frame's sender MAC. Deliberately not compared: tshark's CDP "IP Address"
 * of the Cisco power TLVs (`cdp.nrgyz.*`, not an address of the device, and 0.0.0.0 here), and the
 * MSTI messages of MST BPDUs (per-instance roots: only the CIST is reported).
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { FlushRecord } from "../../../model/flush_record.ts";
import { openCaptureFile } from "../../../capture/file_source.ts";
import { PacketBatch } from "../../../capture/batch.ts";
import { SHARED_PCAPS, sharedCapture } from "../../../tests/shared_pcaps.ts";
import { notes } from "../../../tests/requirements.ts";
import { TSHARK, tsharkFields } from "../../../tests/tshark_fields.ts";
import { neighbourEngine } from "./_frames_test_util.ts";
import { PLANT_GROUND_TRUTH, PLANT_HOSTS, writePlantSample } from "../../../samples/plant.ts";

/** Dissects a whole capture with the neighbour dissectors and returns the flush record. */
export async function analyse(path: string): Promise<FlushRecord> {
  const engine = neighbourEngine();
  const source = await openCaptureFile(path);
  const batch = new PacketBatch(64);
  try {
    while (await source.next(batch)) engine.process(batch);
  } finally {
    source.close();
  }
  return engine.flush();
}

const FIELDS = [
  "eth.src",
  "lldp.tlv.system.name",
  "lldp.chassis.id.mac",
  "lldp.port.id",
  "lldp.port.id.mac",
  "lldp.mgn.addr.ip4",
  "cdp.deviceid",
  "cdp.platform",
  "cdp.software_version",
  "cdp.portid",
  "cdp.address",
  "cdp.native_vlan",
  "cdp.vtp_management_domain",
  "stp.root.prio",
  "stp.root.ext",
  "stp.root.hw",
  "stp.bridge.prio",
  "stp.bridge.ext",
  "stp.bridge.hw",
  "stp.root.cost",
  "stp.port",
  "mstp.cist_bridge.prio",
  "mstp.cist_bridge.ext",
  "mstp.cist_bridge.hw",
];

/** The identities (key = value) tshark's fields of one frame say the sender must have. */
function expectedIdentities(row: string[][]): string[] {
  const f = Object.fromEntries(FIELDS.map((name, i) => [name, row[i] ?? []]));
  const out: string[] = [];
  const each = (key: string, values: string[]) => values.forEach((v) => out.push(`${key} = ${v}`));
  each("lldp.system_name", f["lldp.tlv.system.name"]);
  each("hostname", f["lldp.tlv.system.name"]);
  each("lldp.chassis_id", f["lldp.chassis.id.mac"]);
  each("lldp.port_id", [...f["lldp.port.id"], ...f["lldp.port.id.mac"]]);
  each("lldp.management_address", f["lldp.mgn.addr.ip4"]);
  each("cdp.device_id", f["cdp.deviceid"]);
  each("hostname", f["cdp.deviceid"]);
  each("cdp.platform", f["cdp.platform"]);
  each("cdp.port_id", f["cdp.portid"]);
  each("cdp.native_vlan", f["cdp.native_vlan"]);
  each("cdp.vtp_domain", f["cdp.vtp_management_domain"]);
  const software = f["cdp.software_version"];
  if (software.length > 0) {
    each("cdp.software_version", [software[0]]);
    // tshark shows one occurrence per line; the text rule escapes the line feeds between them.
    each("cdp.software_version_full", [software.join("\\x0a")]);
  }
  if (f["cdp.address"].length > 0) each("cdp.addresses", [[...new Set(f["cdp.address"])].join(",")]);
  const id = (p: string, e: string, hw: string) => f[hw].map((mac, i) => `${f[p][i]}.${f[e][i]}.${mac}`);
  if (f["stp.root.hw"].length > 0) {
    const mst = f["mstp.cist_bridge.hw"].length > 0;
    each("stp.root_id", id("stp.root.prio", "stp.root.ext", "stp.root.hw"));
    each(
      mst ? "stp.regional_root_id" : "stp.bridge_id",
      id("stp.bridge.prio", "stp.bridge.ext", "stp.bridge.hw"),
    );
    if (mst) {
      each("stp.bridge_id", id("mstp.cist_bridge.prio", "mstp.cist_bridge.ext", "mstp.cist_bridge.hw"));
    }
    each("stp.root_path_cost", f["stp.root.cost"]);
    each("stp.port_id", f["stp.port"]);
  }
  return out;
}

const CAPTURES = [
  "lldp_cdp_cisco.pcap",
  "cdp_cisco3560.pcap",
  "vlan_8021q_and_double_tag_cdp.pcap",
  "stp_8021d.pcap",
  "stp_rstp_8021w.pcap",
  "stp_mstp_intra_region.pcap",
  "stp_rpvst_trunk_dtp_vtp.pcap",
  "enip_cip_controllogix_change_date.pcap",
  "enip_cip_io_listidentity_1756enbt.pcap",
];

for (const name of CAPTURES) {
  Deno.test({
    name: `l2 neighbours report what tshark shows in ${name}${notes(SHARED_PCAPS, TSHARK)}`,
    ignore: SHARED_PCAPS.skip || TSHARK.skip,
    async fn() {
      const path = sharedCapture(name);
      const rows = await tsharkFields(path, FIELDS, "lldp or cdp or stp");
      ok(rows.length > 0, `tshark finds no LLDP, CDP or STP frame in ${name}`);
      const record = await analyse(path);
      const have = new Set(record.identities.map((i) => `${i.mac} ${i.key} = ${i.value}`));
      const missing: string[] = [];
      for (const row of rows) {
        for (const expected of expectedIdentities(row)) {
          if (!have.has(`${row[0][0]} ${expected}`)) missing.push(`${row[0][0]} ${expected}`);
        }
      }
      deepStrictEqual([...new Set(missing)], []);
      // Only this folder's dissectors are judged here: other dissectors have their own tests.
      deepStrictEqual(record.stats.problems.filter((p) => /Cannot decode (LLDP|CDP|STP)/.test(p)), []);
      for (const name of ["lldp", "cdp", "stp", "pvst"]) {
        strictEqual(record.stats.dissectorMalformed[record.dissectorNames.indexOf(name)], 0, name);
      }
      const neighbourEvents = record.events.filter((e) => /^(lldp|cdp)\.neighbour$|^stp\.root$/.test(e.type));
      ok(neighbourEvents.length > 0);
    },
  });
}

Deno.test("l2 neighbours find the LLDP system names and the RSTP root of the plant sample", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await writePlantSample(path);
    const record = await analyse(path);
    for (const name of PLANT_GROUND_TRUTH.lldpSystemNames) {
      const host = PLANT_HOSTS.find((h) => h.hostname === name);
      ok(host, name);
      const found = record.identities.filter((i) => i.key === "hostname" && i.source === "lldp");
      deepStrictEqual(found.filter((i) => i.value === name).map((i) => i.mac), [host.mac]);
      ok(
        record.identities.some((i) =>
          i.mac === host.mac && i.key === "lldp.management_address" && i.value === host.ip
        ),
      );
    }
    const lldpEvents = record.events.filter((e) => e.type === "lldp.neighbour");
    strictEqual(lldpEvents.reduce((sum, e) => sum + e.count, 0), PLANT_GROUND_TRUTH.frames.lldp);
    const office = PLANT_HOSTS.find((h) => h.hostname === "sw-office-01")!;
    const root = record.events.find((e) => e.type === "stp.root");
    ok(root);
    strictEqual(root.mac, office.mac);
    strictEqual(root.fields.root_id, `24576.1.${office.mac}`);
    strictEqual(root.fields.version, "rstp");
    strictEqual(record.stats.malformed, 0);
  } finally {
    await Deno.remove(path);
  }
});
