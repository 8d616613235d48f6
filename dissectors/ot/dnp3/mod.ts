/**
 * DNP3 dissectors.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { dnp3 } from "./dnp3.ts";

export { dnp3, DNP3_PORT, dnp3Tap, userByte } from "./dnp3.ts";
export { dnpCrc } from "./_crc.ts";

/** The DNP3 dissectors, for `OT_DISSECTORS`. */
export const DNP3_DISSECTORS: Dissector[] = [dnp3];
