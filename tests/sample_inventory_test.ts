/**
 * The inventory of the sample plant capture matches the generator's ground truth: every device,
 * its IPs on the right VLAN (QinQ hosts behind outer VLAN 200), the VLANs, and the router flagged
 * as a gateway for the off-subnet servers it carries.
 *
 * @module
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { writePlantSample } from "../samples/plant.ts";
import { PLANT_GROUND_TRUTH } from "../samples/plant/ground_truth.ts";
import { inventoryOf } from "./tshark_oracle.ts";

Deno.test("analyze of the sample plant finds every device, VLAN and the gateway", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await writePlantSample(path);
  const doc = await inventoryOf(path);
  await Deno.remove(path);
  const byMac = new Map(doc.devices.map((device) => [device.mac_address, device]));

  for (const host of PLANT_GROUND_TRUTH.hosts) {
    const device = byMac.get(host.mac);
    strictEqual(device !== undefined, true, `${host.id} (${host.mac}) is a device`);
    if (host.ip === null || host.vlan === null) continue; // switches: their IP is only in LLDP (identity issue)
    const ips = device!.ips.filter((ip) => ip.ip_address === host.ip);
    strictEqual(ips.length > 0, true, `${host.id} has ${host.ip}`);
    const vlans = ips.map((ip) => `${ip.outer_vlan_id ?? "-"}/${ip.vlan_id}`);
    strictEqual(vlans.includes(`${host.outerVlan ?? "-"}/${host.vlan}`), true, `${host.id} VLANs ${vlans}`);
    for (const v6 of host.ipv6) {
      strictEqual(device!.ips.some((ip) => ip.ip_address === v6), true, `${host.id} has ${v6}`);
    }
  }
  strictEqual(doc.devices.length, PLANT_GROUND_TRUTH.hosts.length, "no device that is not in the plant");

  deepStrictEqual(
    doc.vlans.map((vlan) => `${vlan.outer_vlan_id ?? "-"}/${vlan.vlan_id}`).sort(),
    ["-/10", "-/20", `${PLANT_GROUND_TRUTH.qinq.outer}/${PLANT_GROUND_TRUTH.qinq.inner}`].sort(),
  );

  const gateways = doc.devices.filter((device) => device.is_gateway).map((device) => device.mac_address);
  deepStrictEqual(gateways, [PLANT_GROUND_TRUTH.router.mac]);
  const routerIps = byMac.get(PLANT_GROUND_TRUTH.router.mac)!.ips.map((ip) => ip.ip_address);
  for (const ip of PLANT_GROUND_TRUTH.router.offSubnetIps) strictEqual(routerIps.includes(ip), true, ip);
  strictEqual(doc.summary.malformed, 0);
  strictEqual(doc.summary.packets, PLANT_GROUND_TRUTH.frames.total);
});
