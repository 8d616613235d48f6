/**
 * The industrial (OT) dissectors, each written against the public plugin API only (conventions in
 * this folder's README). Built in, so an OT network is understood out of the box; a user can still
 * move one to other ports (`[dissectors.ports]`) or leave it out (`[dissectors] disabled`).
 *
 * @module
 */

import type { Dissector } from "../api.ts";
import { MODBUS_DISSECTORS } from "./modbus/mod.ts";
import { DNP3_DISSECTORS } from "./dnp3/mod.ts";
import { S7COMM_DISSECTORS } from "./s7comm/mod.ts";
import { IEC104_DISSECTORS } from "./iec104/mod.ts";
import { ENIP_DISSECTORS } from "./enip/mod.ts";
import { BACNET_DISSECTORS } from "./bacnet/mod.ts";
import { PROFINET_DCP_DISSECTORS } from "./profinet_dcp/mod.ts";
import { GOOSE_DISSECTORS } from "./goose/mod.ts";
import { OPCUA_DISSECTORS } from "./opcua/mod.ts";
import { MQTT_DISSECTORS } from "./mqtt/mod.ts";

/** Every OT dissector, in registration order. */
export const OT_DISSECTORS: readonly Dissector[] = [
  ...MODBUS_DISSECTORS,
  ...DNP3_DISSECTORS,
  ...S7COMM_DISSECTORS,
  ...IEC104_DISSECTORS,
  ...ENIP_DISSECTORS,
  ...BACNET_DISSECTORS,
  ...PROFINET_DCP_DISSECTORS,
  ...GOOSE_DISSECTORS,
  ...OPCUA_DISSECTORS,
  ...MQTT_DISSECTORS,
];
