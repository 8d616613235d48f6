/**
 * Vendor of a MAC address from the IEEE registry (the `oui-data` package: MA-L 24-bit, MA-M 28-bit
 * and MA-S 36-bit assignments), loaded with the code so it works offline.
 *
 * A locally administered MAC (second bit of the first octet set: randomised phones and laptops,
 * virtual machines) has no vendor: the registry would name whoever owns the look-alike prefix.
 *
 * @module
 */

import registry from "oui-data" with { type: "json" };

const entries = registry as Record<string, string>;
const cache = new Map<string, string | null>();

function organisation(entry: string | undefined): string | null {
  if (entry === undefined) return null;
  const name = entry.split("\n")[0].trim().replace(/,$/, "");
  return name.length > 0 ? name : null;
}

/**
 * The registered organisation of `mac` (lowercase colon-separated text), most specific
 * assignment first, or null (unknown, or locally administered).
 *
 * @example
 * ```ts
 * import { ouiVendor } from "./oui.ts";
 * if (!ouiVendor("00:1b:1b:00:00:01")?.startsWith("Siemens")) throw new Error("expected Siemens");
 * ```
 */
export function ouiVendor(mac: string): string | null {
  const hex = mac.replaceAll(":", "").toUpperCase();
  if (hex.length !== 12 || (parseInt(hex.slice(0, 2), 16) & 0x02) !== 0) return null;
  const prefix = hex.slice(0, 9);
  const known = cache.get(prefix);
  if (known !== undefined) return known;
  const vendor = organisation(entries[hex.slice(0, 9)]) ?? organisation(entries[hex.slice(0, 7)]) ??
    organisation(entries[hex.slice(0, 6)]);
  cache.set(prefix, vendor);
  return vendor;
}
