/**
 * L2 neighbour discovery dissectors: LLDP, CDP, STP/RSTP/MSTP and Cisco PVST+.
 *
 * They tell which switch (chassis id, system name, bridge id) and which port a neighbour announces,
 * its management address and VLAN, and which bridge is the spanning tree root: the raw material of a
 * passive physical topology.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { lldp } from "./lldp.ts";
import { cdp } from "./cdp.ts";
import { pvst, stp } from "./stp.ts";

export { lldp } from "./lldp.ts";
export { cdp } from "./cdp.ts";
export { pvst, stp } from "./stp.ts";

/** The L2 neighbour dissectors, to be added to the built-ins. */
export const NEIGHBOUR_DISSECTORS: Dissector[] = [lldp, cdp, stp, pvst];
