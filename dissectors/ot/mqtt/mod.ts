/**
 * MQTT dissector.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { mqtt } from "./mqtt.ts";

export { mqtt, MQTT_PORT } from "./mqtt.ts";

/** The MQTT dissectors. */
export const MQTT_DISSECTORS: Dissector[] = [mqtt];
