/**
 * Siemens S7comm / S7comm-plus over ISO-on-TCP (TPKT + COTP, TCP port 102).
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { s7comm } from "./s7comm.ts";

export { s7comm, tsapText } from "./s7comm.ts";
export { ISO_TSAP_PORT } from "./_consts.ts";
export { s7commTap, TAP_PLUS } from "./_tap.ts";

/** The S7comm dissectors, for `OT_DISSECTORS`. */
export const S7COMM_DISSECTORS: Dissector[] = [s7comm];
