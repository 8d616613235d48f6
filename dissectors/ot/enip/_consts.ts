/**
 * Constants of EtherNet/IP and CIP: encapsulation commands (ODVA CIP Networks Library Vol 2 §2-4),
 * common item types (Vol 2 §2-6), CIP service codes (Vol 1 Appendix A), device types (Vol 1 §6-7)
 * and the vendor ids of the ODVA registry most often met on plant networks.
 *
 * @module
 */

/** Encapsulation commands (Vol 2 table 2-3.2). */
export const Command = {
  NOP: 0x0000,
  LIST_SERVICES: 0x0004,
  LIST_IDENTITY: 0x0063,
  LIST_INTERFACES: 0x0064,
  REGISTER_SESSION: 0x0065,
  UNREGISTER_SESSION: 0x0066,
  SEND_RR_DATA: 0x006f,
  SEND_UNIT_DATA: 0x0070,
} as const;

/** Name of an encapsulation command, or "" when the command is not defined. */
export function commandName(command: number): string {
  switch (command) {
    case Command.NOP:
      return "nop";
    case Command.LIST_SERVICES:
      return "list_services";
    case Command.LIST_IDENTITY:
      return "list_identity";
    case Command.LIST_INTERFACES:
      return "list_interfaces";
    case Command.REGISTER_SESSION:
      return "register_session";
    case Command.UNREGISTER_SESSION:
      return "unregister_session";
    case Command.SEND_RR_DATA:
      return "send_rr_data";
    case Command.SEND_UNIT_DATA:
      return "send_unit_data";
  }
  return "";
}

/** Common packet format item types (Vol 2 table 2-6.3). */
export const Item = {
  NULL_ADDRESS: 0x0000,
  IDENTITY: 0x000c,
  CONNECTED_ADDRESS: 0x00a1,
  CONNECTED_DATA: 0x00b1,
  UNCONNECTED_DATA: 0x00b2,
  LIST_SERVICES: 0x0100,
  SOCKADDR_O2T: 0x8000,
  SOCKADDR_T2O: 0x8001,
  SEQUENCED_ADDRESS: 0x8002,
} as const;

/** CIP service codes (Vol 1 Appendix A; 0x4B–0x5B depend on the class). */
export const Service = {
  GET_ATTRIBUTES_ALL: 0x01,
  SET_ATTRIBUTES_ALL: 0x02,
  GET_ATTRIBUTE_LIST: 0x03,
  SET_ATTRIBUTE_LIST: 0x04,
  RESET: 0x05,
  START: 0x06,
  STOP: 0x07,
  CREATE: 0x08,
  DELETE: 0x09,
  MULTIPLE_SERVICE: 0x0a,
  GET_ATTRIBUTE_SINGLE: 0x0e,
  SET_ATTRIBUTE_SINGLE: 0x10,
  RESTORE: 0x15,
  SAVE: 0x16,
  GET_MEMBER: 0x18,
  SET_MEMBER: 0x19,
  // Connection Manager (class 0x06), Vol 1 §3-5.
  FORWARD_CLOSE: 0x4e,
  UNCONNECTED_SEND: 0x52,
  FORWARD_OPEN: 0x54,
  LARGE_FORWARD_OPEN: 0x5b,
  // Logix controllers (Rockwell publication 1756-PM020): on symbolic paths or class 0x6B.
  READ_TAG: 0x4c,
  WRITE_TAG: 0x4d,
  READ_MODIFY_WRITE_TAG: 0x4e,
  READ_TAG_FRAGMENTED: 0x52,
  WRITE_TAG_FRAGMENTED: 0x53,
} as const;

/** CIP object classes the dissector treats specially (Vol 1 §5; 0x8B is the Logix wall clock). */
export const CipClass = {
  IDENTITY: 0x01,
  MESSAGE_ROUTER: 0x02,
  CONNECTION_MANAGER: 0x06,
  TIME_SYNC: 0x43,
  WALL_CLOCK_TIME: 0x8b,
} as const;

const COMMON_SERVICES: Record<number, string> = {
  0x01: "get_attributes_all",
  0x02: "set_attributes_all",
  0x03: "get_attribute_list",
  0x04: "set_attribute_list",
  0x05: "reset",
  0x06: "start",
  0x07: "stop",
  0x08: "create",
  0x09: "delete",
  0x0a: "multiple_service_packet",
  0x0d: "apply_attributes",
  0x0e: "get_attribute_single",
  0x10: "set_attribute_single",
  0x11: "find_next_object_instance",
  0x15: "restore",
  0x16: "save",
  0x17: "nop",
  0x18: "get_member",
  0x19: "set_member",
  0x1a: "insert_member",
  0x1b: "remove_member",
};

const CONNECTION_MANAGER_SERVICES: Record<number, string> = {
  0x4e: "forward_close",
  0x52: "unconnected_send",
  0x54: "forward_open",
  0x56: "get_connection_data",
  0x57: "search_connection_data",
  0x5a: "get_connection_owner",
  0x5b: "large_forward_open",
};

const LOGIX_SERVICES: Record<number, string> = {
  0x4b: "execute_pccc",
  0x4c: "read_tag",
  0x4d: "write_tag",
  0x4e: "read_modify_write_tag",
  0x52: "read_tag_fragmented",
  0x53: "write_tag_fragmented",
  0x55: "get_instance_attribute_list",
};

/** Name of CIP service `service` (request code) addressed to `classId` (-1 when the path has none). */
export function serviceName(service: number, classId: number): string {
  if (service < 0x4b) return COMMON_SERVICES[service] ?? "service";
  if (classId === CipClass.CONNECTION_MANAGER) return CONNECTION_MANAGER_SERVICES[service] ?? "service";
  return LOGIX_SERVICES[service] ?? "service";
}

/** Device types of the Identity object (Vol 1 table 6-7.1), as ODVA names them. */
export const DEVICE_TYPES: Record<number, string> = {
  0: "Generic Device (deprecated)",
  2: "AC Drive",
  3: "Motor Overload",
  4: "Limit Switch",
  5: "Inductive Proximity Switch",
  6: "Photoelectric Sensor",
  7: "General Purpose Discrete I/O",
  9: "Resolver",
  12: "Communications Adapter",
  14: "Programmable Logic Controller",
  16: "Position Controller",
  19: "DC Drive",
  21: "Contactor",
  22: "Motor Starter",
  23: "Soft Start",
  24: "Human-Machine Interface",
  26: "Mass Flow Controller",
  27: "Pneumatic Valve",
  28: "Vacuum Pressure Gauge",
  34: "Encoder",
  35: "Safety Discrete I/O Device",
  37: "CIP Motion Drive",
  42: "Safety Analog I/O Device",
  43: "Generic Device (keyable)",
  44: "Managed Ethernet Switch",
  51: "Circuit Breaker",
  200: "Embedded Component",
};

/** Vendor ids of the ODVA registry (names as the registry spells them). */
export const VENDORS: Record<number, string> = {
  1: "Rockwell Automation/Allen-Bradley",
  3: "Honeywell Inc.",
  4: "Parker Hannifin Corp. (Veriflo Division)",
  5: "Rockwell Automation/Reliance Elec.",
  7: "SMC Corporation",
  8: "Molex Incorporated",
  12: "Banner Engineering Corp.",
  26: "Festo Corporation",
  40: "Wago Corporation",
  43: "BALLUFF, Inc.",
  44: "Yaskawa Electric America, Inc.",
  46: "ABB Industrial Systems",
  47: "Omron Corporation",
  48: "TURCk, Inc.",
  57: "Pepperl + Fuchs",
  68: "Eaton Electrical",
  71: "Toshiba International Corp.",
  74: "Hitachi, Ltd.",
  82: "Mitsubishi Electric Automation, Inc.",
  90: "HMS Industrial Networks AB",
  97: "Danfoss",
  100: "Bosch Rexroth Corporation, Pneumatics",
  108: "Beckhoff Automation GmbH",
  121: "KUKA Roboter GmbH",
  143: "GE Industrial Systems",
  145: "Siemens Energy & Automation/Drives",
  161: "Mitsubishi Electric Corporation",
  176: "Red Lion Controls",
  243: "Schneider Automation, Inc.",
  250: "Yokogawa Electric Corporation",
  255: "Bosch Rexroth",
  256: "Turck",
  283: "Hilscher GmbH",
  287: "Bosch Rexroth Corporation, Indramat",
  309: "Prosoft Technology",
  315: "SEW Eurodrive GmbH",
  319: "Fuji Electric Co., Ltd.",
  322: "ifm efector, inc.",
  326: "GE Fanuc Automation North America, Inc.",
  345: "Endress + Hauser",
  356: "Fanuc Robotics America",
  367: "Keyence Corporation",
  445: "Lenze Drive Systems GmbH",
  562: "Phoenix Contact",
  591: "FANUC Ltd.",
  634: "Hirschmann, Inc.",
  640: "Murrelektronik GmbH",
  678: "Cognex Corporation",
  722: "ABB, Inc.",
  796: "Siemens Energy & Automation, Inc.",
  808: "SICK AG",
  887: "B&R Industrial Automation GmbH",
  939: "Cisco Systems",
  991: "Moxa Networking Co., Ltd.",
  1015: "Weidmueller Interface GmbH & Co. KG",
};

/** General status codes (Vol 1 Appendix B) named in error events. */
export const GENERAL_STATUS: Record<number, string> = {
  0x01: "connection_failure",
  0x02: "resource_unavailable",
  0x03: "invalid_parameter_value",
  0x04: "path_segment_error",
  0x05: "path_destination_unknown",
  0x06: "partial_transfer",
  0x08: "service_not_supported",
  0x09: "invalid_attribute_value",
  0x0c: "object_state_conflict",
  0x0e: "attribute_not_settable",
  0x0f: "privilege_violation",
  0x10: "device_state_conflict",
  0x13: "not_enough_data",
  0x14: "attribute_not_supported",
  0x15: "too_much_data",
  0x16: "object_does_not_exist",
  0x1e: "embedded_service_error",
  0x26: "path_size_invalid",
};
