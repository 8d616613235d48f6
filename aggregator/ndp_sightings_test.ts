import { deepStrictEqual } from "node:assert/strict";
import { decode } from "../dissectors/_testing.ts";
import { Inventory } from "./inventory.ts";
import { buildInventoryDocument } from "./inventory_view.ts";

function boundIps(frame: string): string[] {
  const { engine } = decode(frame);
  const inventory = new Inventory();
  inventory.merge(engine.flush());
  return buildInventoryDocument(inventory).devices.flatMap((device) =>
    device.ips.filter((ip) => ip.learnt_from.includes("ndp")).map((ip) =>
      `${device.mac_address} ${ip.ip_address}`
    )
  );
}

const LINK_LOCAL_1 = "fe80 0000 0000 0000 0000 0200 0000 0001";

Deno.test("icmpv6 reports a neighbor advertisement's target and target link-layer address", () => {
  // Hand-built NA (RFC 4861 4.4) for 2001:db8::10 with option 2 = 02:00:00:00:00:10, sent from fe80::200:0:1.
  const target = "20010db8" + "0".repeat(22) + "10";
  deepStrictEqual(
    boundIps(`
      333300000001 020000000001 86dd
      6000 0000 0020 3a ff ${LINK_LOCAL_1} ff02${"0".repeat(27)}1
      8800 0000 60000000 ${target}
      0201 020000000010
    `),
    ["02:00:00:00:00:10 2001:db8::10"],
  );
});

Deno.test("icmpv6 reports a router advertisement's source link-layer address", () => {
  // Hand-built RA (RFC 4861 4.2), option 1 = 02:00:00:00:00:01.
  deepStrictEqual(
    boundIps(`
      333300000001 020000000001 86dd
      6000 0000 0018 3a ff ${LINK_LOCAL_1} ff02${"0".repeat(27)}1
      8600 0000 40000708 00000000 00000000
      0101 020000000001
    `),
    ["02:00:00:00:00:01 fe80::200:0:1"],
  );
});

Deno.test("icmpv6 ignores a duplicate address detection probe from ::", () => {
  deepStrictEqual(
    boundIps(`
      3333ff000010 020000000010 86dd
      6000 0000 0020 3a ff ${"0".repeat(32)} ff0200000000000000000001ff000010
      8700 0000 00000000 ${"20010db8" + "0".repeat(22) + "10"}
      0101 020000000010
    `),
    [],
  );
});

Deno.test("icmpv6 stops on an option of length zero", () => {
  const { packet } = decode(`
    333300000001 020000000001 86dd
    6000 0000 0020 3a ff ${LINK_LOCAL_1} ff02${"0".repeat(27)}1
    8800 0000 60000000 ${"20010db8" + "0".repeat(22) + "10"}
    0200 020000000010
  `);
  deepStrictEqual(packet.problem, "option length must not be zero");
});
