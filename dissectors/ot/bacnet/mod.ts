/**
 * BACnet.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { bacnet } from "./bacnet.ts";

export { bacnet, BACNET_PORT, BACNET_SAP, npduTrace } from "./bacnet.ts";
export { apduTrace } from "./apdu.ts";

/** The BACnet dissectors. */
export const BACNET_DISSECTORS: Dissector[] = [bacnet];
