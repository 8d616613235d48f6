import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { device, documentOfCapture, handMade, plantDocument } from "./_test_docs.ts";
import { classifyDevices, type DeviceClass } from "./classify.ts";
import type { IdentityFact } from "./evidence.ts";
import { osFromFingerprint, osFromVendorClass } from "./os_hints.ts";
import { PLANT_HOSTS } from "../../samples/plant/ground_truth.ts";
import { SHARED_PCAPS, sharedCapture } from "../../tests/shared_pcaps.ts";

const MAC = "02:00:00:00:00:01";
const GATEWAY_REASON = "sends from 6 IPv4 addresses outside its own subnet 10.0.0.0/24";
const WINDOWS_FINGERPRINT = "1,3,6,15,31,33,43,44,46,47,119,121,249,252";

function fact(key: string, value: string, source: string): Partial<IdentityFact> {
  return { mac: MAC, key, value, source };
}

function classOf(facts: Partial<IdentityFact>[], options: Parameters<typeof device>[1] = {}): DeviceClass {
  return classifyDevices(handMade([device(MAC, options)], facts))[0];
}

Deno.test("classifyDevices: LLDP router capability and off-subnet addresses make a router with both reasons", () => {
  const found = classOf([fact("lldp.enabled_capabilities", "router", "lldp")], {
    gatewayReasons: [GATEWAY_REASON],
  });
  strictEqual(found.device_type, "router");
  deepStrictEqual(found.reasons, ["LLDP enabled capabilities: router", `${GATEWAY_REASON} (gateway)`]);
  strictEqual(found.confidence, 75);
});

Deno.test("classifyDevices: an L3 switch (bridge + router) stays a switch, the router evidence kept", () => {
  const found = classOf([
    fact("lldp.enabled_capabilities", "bridge,router", "lldp"),
    fact("stp.sender_is_bridge", "true", "stp"),
    fact("stp.bridge_id", "32768.1.02:00:00:00:00:00", "stp"),
  ]);
  strictEqual(found.device_type, "switch");
  deepStrictEqual(found.reasons, [
    "LLDP enabled capabilities: bridge,router",
    "sends STP BPDUs as a bridge (bridge id 32768.1.02:00:00:00:00:00)",
    "also router: LLDP enabled capabilities: bridge,router",
  ]);
  strictEqual(found.confidence, 65); // 40 + 35, minus half the runner-up 20
});

Deno.test("classifyDevices: phones, printers, cameras, firewalls, servers from their evidence", () => {
  const phone = classOf([fact("dhcp.vendor_class", "android-dhcp-13", "dhcp")]);
  deepStrictEqual([phone.device_type, phone.os_family], ["phone", "Android"]);
  deepStrictEqual(phone.reasons, [
    'DHCP vendor class "android-dhcp-13" → Android',
    'OS: DHCP vendor class "android-dhcp-13" → Android',
  ]);
  const ciscoPhone = classOf([
    fact("cdp.capabilities", "host,phone", "cdp"),
    fact("cdp.platform", "Cisco IP Phone 7965", "cdp"),
  ]);
  strictEqual(ciscoPhone.device_type, "phone");
  const printer = classOf([
    fact("mdns.service", "_ipp._tcp", "mdns"),
    fact("mdns.service", "_pdl-datastream._tcp", "mdns"),
  ]);
  deepStrictEqual([printer.device_type, printer.reasons], ["printer", [
    "mDNS service _ipp._tcp",
    "mDNS service _pdl-datastream._tcp",
  ]]);
  const camera = classOf([fact("mdns.service", "_rtsp._tcp", "mdns")]);
  strictEqual(camera.device_type, "camera");
  const ssdp = classOf([fact("ssdp.device_type", "urn:schemas-upnp-org:device:Printer:1", "ssdp")]);
  deepStrictEqual(ssdp.reasons, ["SSDP device type urn:schemas-upnp-org:device:Printer:1"]);
  const firewall = classOf([
    fact("lldp.system_description", "Cisco Adaptive Security Appliance ASA 9.8", "lldp"),
  ], {
    gatewayReasons: [GATEWAY_REASON],
  });
  strictEqual(firewall.device_type, "firewall");
  ok(firewall.reasons.includes(`also router: ${GATEWAY_REASON} (gateway)`), firewall.reasons.join("\n"));
  const server = classOf([fact("dhcp.server", "true", "dhcp")]);
  deepStrictEqual([server.device_type, server.reasons], ["server", ["answers DHCP as a server (OFFER/ACK)"]]);
  const nothing = classOf([]);
  deepStrictEqual([nothing.device_type, nothing.confidence, nothing.reasons], ["unknown", 0, [
    "no identifying evidence",
  ]]);
  const plc = classOf([], { vendor: "WAGO Kontakttechnik GmbH" });
  deepStrictEqual([plc.device_type, plc.confidence], ["plc", 10]);
});

Deno.test("os hints: the DHCP fingerprint table and vendor classes", () => {
  strictEqual(
    osFromFingerprint(WINDOWS_FINGERPRINT)?.reason,
    `DHCP fingerprint ${WINDOWS_FINGERPRINT} → Windows 10/11`,
  );
  strictEqual(osFromFingerprint("1,121,3,6,15,119,252")?.os_family, "iOS");
  strictEqual(osFromFingerprint("9,9,9"), null);
  strictEqual(osFromVendorClass("dhcpcd-9.4.1:Linux-6.1:armv7l:BCM2835")?.os_family, "Linux (dhcpcd)");
  strictEqual(osFromVendorClass("Cisco Systems, Inc. IP Phone CP-7965G")?.device_type, "phone");
  // The vendor class names the family, the fingerprint refines it.
  const found = classOf([
    fact("dhcp.vendor_class", "MSFT 5.0", "dhcp"),
    fact("dhcp.fingerprint", WINDOWS_FINGERPRINT, "dhcp"),
  ]);
  deepStrictEqual([found.device_type, found.os_family], ["workstation", "Windows 10/11"]);
});

Deno.test("classifyDevices on the plant sample: router from the gateway evidence, switches, workstations", async () => {
  const classes = new Map(classifyDevices(await plantDocument()).map((found) => [found.mac_address, found]));
  const byRole = (role: string) =>
    PLANT_HOSTS.filter((host) => host.role === role).map((host) => classes.get(host.mac)!);
  const [router] = byRole("router");
  strictEqual(router.device_type, "router");
  deepStrictEqual(router.reasons, [
    "sends from 6 IPv4 addresses outside its own subnet 10.10.10.0/24 (gateway)",
  ]);
  for (const sw of byRole("switch")) {
    strictEqual(sw.device_type, "switch");
    ok(sw.reasons.includes("LLDP enabled capabilities: bridge"), sw.reasons.join("\n"));
  }
  ok(byRole("switch")[0].reasons.some((reason) => reason.startsWith("sends STP BPDUs as a bridge")));
  strictEqual(byRole("switch")[0].os_family, "Cisco IOS");
  for (const ws of byRole("workstation")) {
    deepStrictEqual([ws.device_type, ws.os_family], ["workstation", "Windows 10/11"]);
    ok(ws.reasons.includes(`DHCP fingerprint ${WINDOWS_FINGERPRINT} → Windows 10/11`), ws.reasons.join("\n"));
  }
  strictEqual(byRole("dhcp-server")[0].device_type, "server");
  for (const plc of byRole("plc")) strictEqual(plc.device_type, "plc");
});

Deno.test({
  name: `classifyDevices on real LLDP/CDP and STP captures: Cisco switches${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn() {
    const cisco = classifyDevices(await documentOfCapture(sharedCapture("lldp_cdp_cisco.pcap")))
      .filter((found) => found.device_type !== "unknown");
    deepStrictEqual(cisco.map((found) => found.mac_address), ["00:18:ba:98:68:8f", "00:19:2f:a7:b2:8d"]);
    for (const found of cisco) {
      deepStrictEqual([found.device_type, found.os_family], ["switch", "Cisco IOS"]);
      deepStrictEqual(found.reasons.slice(0, 2), [
        "LLDP enabled capabilities: bridge",
        "CDP capabilities: switch,igmp",
      ]);
    }
    const stp = classifyDevices(await documentOfCapture(sharedCapture("stp_8021d.pcap")));
    deepStrictEqual(stp.filter((found) => found.device_type === "switch").map((found) => found.reasons), [
      ["sends STP BPDUs as a bridge (bridge id 32768.1.00:19:06:ea:b8:80)"],
    ]);
  },
});

Deno.test("classifyDevices: a LAPTOP- hostname or a MacBook model makes a laptop, DESKTOP- a workstation", () => {
  const windowsLaptop = classOf([
    fact("hostname", "LAPTOP-7QK2M1", "dhcp"),
    fact("dhcp.fingerprint", WINDOWS_FINGERPRINT, "dhcp"),
  ]);
  deepStrictEqual([windowsLaptop.device_type, windowsLaptop.os_family], ["laptop", "Windows 10/11"]);
  deepStrictEqual(windowsLaptop.reasons.slice(0, 2), [
    "hostname LAPTOP-7QK2M1",
    `also workstation: DHCP fingerprint ${WINDOWS_FINGERPRINT} → Windows 10/11`,
  ]);
  strictEqual(classOf([fact("hostname", "desktop-a1b2c3.corp.example", "dns")]).device_type, "workstation");
  strictEqual(classOf([fact("mdns.model", "MacBookPro18,3", "mdns")]).device_type, "laptop");
  strictEqual(classOf([fact("mdns.model", "Macmini9,1", "mdns")]).device_type, "workstation");
});

Deno.test("classifyDevices: a TCP SYN signature names the OS family without voting for a type", () => {
  const linux = classOf([fact("tcp.syn_signature", "64:64240:1460:7:M,S,T,N,W", "tcp")]);
  deepStrictEqual([linux.device_type, linux.os_family], ["unknown", "Linux"]);
  deepStrictEqual(linux.reasons, [
    "no identifying evidence",
    "OS: TCP SYN signature 64:64240:1460:7:M,S,T,N,W → Linux",
  ]);
  strictEqual(
    classOf([fact("tcp.syn_signature", "128:64240:1460:8:M,N,W,N,N,S", "tcp")]).os_family,
    "Windows",
  );
  strictEqual(
    classOf([fact("tcp.syn_signature", "64:65535:1460:6:M,N,W,N,N,T,S,E,E", "tcp")]).os_family,
    "macOS/iOS",
  );
  // What the device says in DHCP outranks its stack's signature.
  const windows = classOf([
    fact("dhcp.fingerprint", WINDOWS_FINGERPRINT, "dhcp"),
    fact("tcp.syn_signature", "128:64240:1460:8:M,N,W,N,N,S", "tcp"),
  ]);
  strictEqual(windows.os_family, "Windows 10/11");
  ok(windows.reasons.includes(`OS: DHCP fingerprint ${WINDOWS_FINGERPRINT} → Windows 10/11`));
});
