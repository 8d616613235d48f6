/**
 * Passive identification on top of the inventory document: DHCP tracking, device type and OS
 * family, display names, OT roles and Purdue levels. Each function takes an {@linkcode InventoryDocument} and returns a new
 * section; none changes the document.
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

export { trackDhcp } from "./dhcp_tracker.ts";
export type * from "./dhcp_types.ts";
export { classifyDevice, classifyDevices, type DeviceClass } from "./classify.ts";
export { type DisplayName, displayNameOf, displayNames } from "./display_name.ts";
export {
  osFromFingerprint,
  osFromSystemText,
  osFromTcpSignature,
  osFromVendorClass,
  type OsHint,
} from "./os_hints.ts";
export type { EventFact, IdentityFact } from "./evidence.ts";
export { inferOtAssets, OT_PROTOCOLS, type OtAsset, type OtChild } from "./ot_roles.ts";
