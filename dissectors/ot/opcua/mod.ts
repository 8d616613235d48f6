/**
 * OPC UA binary dissector.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { opcua } from "./opcua.ts";

export { opcua, OPCUA_PORT } from "./opcua.ts";

/** The OPC UA dissectors. */
export const OPCUA_DISSECTORS: Dissector[] = [opcua];
