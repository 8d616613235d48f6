/**
 * PROFINET DCP dissector (IEC 61158-6-10).
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { profinetDcp } from "./profinet_dcp.ts";

export { PROFINET_ETHERTYPE, profinetDcp } from "./profinet_dcp.ts";

/** The PROFINET dissectors. */
export const PROFINET_DCP_DISSECTORS: Dissector[] = [profinetDcp];
