/**
 * DHCP dissectors, to be added to the built-ins.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { dhcp } from "./dhcp.ts";

export { dhcp } from "./dhcp.ts";

/** The DHCP dissectors (one: BOOTP/DHCP on UDP ports 67 and 68). */
export const DHCP_DISSECTORS: Dissector[] = [dhcp];
