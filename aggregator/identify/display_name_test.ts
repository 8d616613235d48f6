import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { device, documentOfCapture, handMade, plantDocument } from "./_test_docs.ts";
import { displayNames } from "./display_name.ts";
import type { IdentityFact } from "./evidence.ts";
import { PLANT_HOSTS } from "../../samples/plant/ground_truth.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";

const MAC = "02:00:00:00:00:01";
const ROUTER = "02:00:00:00:00:fe";

function name(
  key: string,
  value: string,
  source: string,
  extra: Partial<IdentityFact> = {},
): Partial<IdentityFact> {
  return { mac: MAC, key, value, source, ...extra };
}

Deno.test("displayNames follows the precedence: DHCP > LLDP/CDP > NBNS > mDNS > LLMNR > FQDN > DNS > hints", () => {
  const ladder: Partial<IdentityFact>[] = [
    name("hostname", "sni.example.com", "tls"),
    name("hostname", "ptr-name.corp.example.", "dns", { mac: null, ip: "10.0.0.5" }),
    name("dhcp.fqdn", "fqdn.corp.example", "dhcp"),
    name("hostname", "llmnr-name", "llmnr"),
    name("hostname", "mdns-name.local", "mdns"),
    name("hostname", "NBNS-NAME", "nbns"),
    name("lldp.system_name", "lldp-name", "lldp"),
    name("hostname", "dhcp-name", "dhcp"),
  ];
  const expected = [
    ["dhcp-name", "dhcp"],
    ["lldp-name", "lldp"],
    ["NBNS-NAME", "nbns"],
    ["mdns-name", "mdns"],
    ["llmnr-name", "llmnr"],
    ["fqdn.corp.example", "dhcp"],
    ["ptr-name.corp.example", "dns"],
    ["sni.example.com", "tls"],
  ];
  const devices = [device(MAC, { ips: [["10.0.0.5", ["arp"]]] })];
  for (let kept = ladder.length; kept > 0; kept--) {
    const found = displayNames(handMade(devices, ladder.slice(0, kept))).get(MAC);
    deepStrictEqual([found?.name, found?.source], expected[ladder.length - kept]);
  }
});

Deno.test("displayNames prefers the client's own DHCP name to the one the server offered", () => {
  const found = displayNames(handMade([device(MAC)], [
    name("hostname", "offered", "dhcp", { confidence: 60, last_seen: "2026-01-02T00:00:00.000Z" }),
    name("hostname", "mine", "dhcp", { confidence: 80 }),
  ])).get(MAC);
  deepStrictEqual(found, { name: "mine", source: "dhcp", confidence: 80 });
});

Deno.test("displayNames never names a gateway after the foreign addresses it forwards", () => {
  const devices = [
    device(ROUTER, {
      ips: [["10.0.0.1", ["arp", "traffic"]], ["192.0.2.7", ["traffic"]]],
      gatewayReasons: ["sends from 6 IPv4 addresses outside its own subnet 10.0.0.0/24"],
    }),
  ];
  const names = displayNames(handMade(devices, [
    name("hostname", "remote-host.example", "dns", { mac: null, ip: "192.0.2.7" }),
    name("hostname", "remote-via-router", "nbns", { mac: ROUTER, ip: "192.0.2.7" }),
  ]));
  strictEqual(names.get(ROUTER), undefined);
  const own = displayNames(
    handMade(devices, [name("hostname", "gw.example", "dns", { mac: null, ip: "10.0.0.1" })]),
  );
  strictEqual(own.get(ROUTER)?.name, "gw.example");
});

Deno.test("displayNames on the plant sample: DHCP names for the office PCs, LLDP names for the switches", async () => {
  const names = displayNames(await plantDocument());
  for (const host of PLANT_HOSTS.filter((host) => host.hostname !== null)) {
    deepStrictEqual(
      [names.get(host.mac)?.name, names.get(host.mac)?.source],
      [host.hostname, host.hostnameSource],
      host.id,
    );
  }
});

Deno.test({
  name: `displayNames on real captures: DHCP host names and CDP device ids${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const pi = displayNames(await documentOfCapture(sharedCapture("dhcp_mud_hostname_raspberrypi.pcap")));
    deepStrictEqual(pi.get("b8:27:eb:b8:53:c8"), { name: "raspberrypi", source: "dhcp", confidence: 80 });
    const cisco = displayNames(await documentOfCapture(sharedCapture("lldp_cdp_cisco.pcap")));
    deepStrictEqual([...cisco].map(([mac, found]) => [mac, found.name, found.source]), [
      ["00:18:ba:98:68:8f", "S1", "cdp"],
      ["00:19:2f:a7:b2:8d", "S2", "cdp"],
    ]);
  },
});
