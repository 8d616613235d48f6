/**
 * Name-service dissectors: DNS (RFC 1035, UDP and TCP 53), mDNS (RFC 6762, UDP 5353), LLMNR
 * (RFC 4795, UDP 5355), sharing one message decoder, and NBNS (RFC 1001/1002, UDP 137).
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { dns } from "./dns.ts";
import { llmnr } from "./llmnr.ts";
import { mdns } from "./mdns.ts";
import { nbns } from "./nbns.ts";

export { dns, llmnr, mdns, nbns };

/** The name-service dissectors, to be added to the built-ins. */
export const NAME_DISSECTORS: Dissector[] = [dns, mdns, llmnr, nbns];
