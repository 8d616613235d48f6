/**
 * Modbus/TCP dissectors.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { modbus } from "./modbus.ts";

export { modbus, MODBUS_PORT, modbusTap } from "./modbus.ts";

/** The Modbus dissectors, for `OT_DISSECTORS`. */
export const MODBUS_DISSECTORS: Dissector[] = [modbus];
