/**
 * Passive identification: DHCP tracking, device type and OS family, display names, OT roles and
 * Purdue levels. Each function is pure: it takes plain inputs (an {@linkcode IdentificationInput};
 * an inventory document is one) and returns a new section, changing nothing. `analyze` runs them on
 * the whole inventory, storage on the facts stored about the devices a batch changed.
 *
 * @example
 * ```ts ignore
 * const doc = buildInventoryDocument(inventory);
 * const extra = {
 *   dhcp: trackDhcp(doc, { allowedServers: ["10.10.10.2"] }),
 *   classes: classifyDevices(doc),
 *   names: Object.fromEntries(displayNames(doc)),
 * };
 * ```
 *
 * @module
 */

export { dhcpLeases, trackDhcp } from "./dhcp_tracker.ts";
export type * from "./dhcp_types.ts";
export { classifyDevice, classifyDevices, type DeviceClass } from "./classify.ts";
export { type DisplayName, displayNameOf, displayNames, NAME_KEYS } from "./display_name.ts";
export {
  osFromFingerprint,
  osFromSystemText,
  osFromTcpSignature,
  osFromVendorClass,
  type OsHint,
} from "./os_hints.ts";
export type { EventFact, IdentificationInput, IdentifiedDevice, IdentityFact } from "./evidence.ts";
export { type Identification, identify } from "./identify.ts";
export { inferOtAssets, OT_PROTOCOLS, type OtAsset, type OtChild } from "./ot_roles.ts";
