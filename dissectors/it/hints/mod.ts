/**
 * Software and name hints from application protocols: SSDP announcements, TLS ClientHello
 * server names and HTTP/1.x heads. To be added to the built-ins.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { http } from "./http.ts";
import { ssdp } from "./ssdp.ts";
import { tls } from "./tls.ts";

export { http } from "./http.ts";
export { ssdp } from "./ssdp.ts";
export { tls } from "./tls.ts";

/** The hint dissectors: SSDP (UDP 1900), TLS ClientHello and HTTP/1.x (ports and heuristic probes). */
export const HINT_DISSECTORS: Dissector[] = [ssdp, tls, http];
