/**
 * EtherNet/IP and CIP.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { enip } from "./enip.ts";

export { enip, ENIP_IO_PORT, ENIP_PORT, enipTrace } from "./enip.ts";
export { cipTrace } from "./cip.ts";

/** The EtherNet/IP dissectors. */
export const ENIP_DISSECTORS: Dissector[] = [enip];
