/**
 * Passive identification on top of the inventory document: DHCP tracking, device type and OS
 * family, display names. Each function takes an {@linkcode InventoryDocument} and returns a new
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
export { osFromFingerprint, osFromSystemText, osFromVendorClass, type OsHint } from "./os_hints.ts";
export type { EventFact, IdentityFact } from "./evidence.ts";
