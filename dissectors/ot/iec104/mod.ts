/**
 * IEC 60870-5-104 dissectors.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { iec104 } from "./iec104.ts";

export { iec104 } from "./iec104.ts";
export { IEC104_PORT, TYPE_NAMES } from "./_consts.ts";
export { iec104Tap } from "./_tap.ts";

/** The IEC 60870-5-104 dissectors, for `OT_DISSECTORS`. */
export const IEC104_DISSECTORS: Dissector[] = [iec104];
