/**
 * IEC 61850 GOOSE dissector.
 *
 * @module
 */

import type { Dissector } from "../../api.ts";
import { goose } from "./goose.ts";

export { forgetGooseState, goose, GOOSE_ETHERTYPE } from "./goose.ts";

/** The GOOSE dissectors. */
export const GOOSE_DISSECTORS: Dissector[] = [goose];
