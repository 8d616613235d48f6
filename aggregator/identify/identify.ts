/**
 * All of identification in one call: OT roles and Purdue levels, device types and OS families,
 * display names, computed together from one {@linkcode IdentificationInput}. `analyze` calls it on
 * the whole inventory; storage calls it, after each batch, on the facts stored about the devices
 * the batch changed (and the other owners of their addresses).
 *
 * @module
 */

import type { IdentificationInput } from "./evidence.ts";
import { classifyDevices, type DeviceClass } from "./classify.ts";
import { type DisplayName, displayNames } from "./display_name.ts";
import { inferOtAssets, type OtAsset } from "./ot_roles.ts";

/** What identification concludes about the devices of its input. */
export interface Identification {
  /** Devices with an OT role, protocol or fact, in the input's device order. */
  ot_assets: OtAsset[];
  /** Type and OS family of every device, in the input's device order. */
  classification: DeviceClass[];
  /** Display name of the devices that have one, by MAC. */
  display_names: Map<string, DisplayName>;
}

/**
 * Identifies the devices of `input`.
 *
 * @example
 * ```ts
 * import { identify } from "./identify.ts";
 * const found = identify({
 *   devices: [{ mac_address: "00:1b:1b:00:00:01", oui_vendor: null, is_gateway: false, gateway_reasons: [], ips: [] }],
 *   identities: [{
 *     key: "hostname", value: "PLC-7", confidence: 80, mac: "00:1b:1b:00:00:01", ip: null, vlan_id: null,
 *     source: "dhcp", first_seen: "2025-01-01T00:00:00.000Z", last_seen: "2025-01-01T00:00:00.000Z", count: 1,
 *   }],
 *   events: [],
 * });
 * if (found.display_names.get("00:1b:1b:00:00:01")?.name !== "PLC-7") throw new Error("unexpected name");
 * ```
 */
export function identify(input: IdentificationInput): Identification {
  const otAssets = inferOtAssets(input);
  return {
    ot_assets: otAssets,
    classification: classifyDevices(input, otAssets),
    display_names: displayNames(input),
  };
}
