/**
 * Constants of BACnet (ANSI/ASHRAE 135-2020): BVLL functions (Annex J.2), APDU types (clause 20.1),
 * service choices (clause 21), object types and common property identifiers (clause 21,
 * BACnetObjectType / BACnetPropertyIdentifier) and vendor identifiers of the ASHRAE registry.
 *
 * @module
 */

/** BVLC functions (Annex J.2). */
export const Bvlc = {
  RESULT: 0x00,
  FORWARDED_NPDU: 0x04,
  DISTRIBUTE_BROADCAST: 0x09,
  ORIGINAL_UNICAST: 0x0a,
  ORIGINAL_BROADCAST: 0x0b,
  SECURE_BVLL: 0x0c,
} as const;

/** APDU types (clause 20.1.1). */
export const PduType = {
  CONFIRMED_REQUEST: 0,
  UNCONFIRMED_REQUEST: 1,
  SIMPLE_ACK: 2,
  COMPLEX_ACK: 3,
  SEGMENT_ACK: 4,
  ERROR: 5,
  REJECT: 6,
  ABORT: 7,
} as const;

/** Confirmed service choices (clause 21, BACnetConfirmedServiceChoice). */
export const Confirmed = {
  ACKNOWLEDGE_ALARM: 0,
  CONFIRMED_COV_NOTIFICATION: 1,
  SUBSCRIBE_COV: 5,
  ATOMIC_READ_FILE: 6,
  ATOMIC_WRITE_FILE: 7,
  ADD_LIST_ELEMENT: 8,
  REMOVE_LIST_ELEMENT: 9,
  CREATE_OBJECT: 10,
  DELETE_OBJECT: 11,
  READ_PROPERTY: 12,
  READ_PROPERTY_MULTIPLE: 14,
  WRITE_PROPERTY: 15,
  WRITE_PROPERTY_MULTIPLE: 16,
  DEVICE_COMMUNICATION_CONTROL: 17,
  REINITIALIZE_DEVICE: 20,
  READ_RANGE: 26,
  SUBSCRIBE_COV_PROPERTY: 28,
} as const;

/** Unconfirmed service choices (clause 21, BACnetUnconfirmedServiceChoice). */
export const Unconfirmed = {
  I_AM: 0,
  I_HAVE: 1,
  COV_NOTIFICATION: 2,
  TIME_SYNCHRONIZATION: 6,
  WHO_HAS: 7,
  WHO_IS: 8,
  UTC_TIME_SYNCHRONIZATION: 9,
  WRITE_GROUP: 10,
} as const;

/** Names of the confirmed services, by choice. */
export const CONFIRMED_NAMES: readonly string[] = [
  "acknowledgeAlarm",
  "confirmedCOVNotification",
  "confirmedEventNotification",
  "getAlarmSummary",
  "getEnrollmentSummary",
  "subscribeCOV",
  "atomicReadFile",
  "atomicWriteFile",
  "addListElement",
  "removeListElement",
  "createObject",
  "deleteObject",
  "readProperty",
  "readPropertyConditional",
  "readPropertyMultiple",
  "writeProperty",
  "writePropertyMultiple",
  "deviceCommunicationControl",
  "confirmedPrivateTransfer",
  "confirmedTextMessage",
  "reinitializeDevice",
  "vtOpen",
  "vtClose",
  "vtData",
  "authenticate",
  "requestKey",
  "readRange",
  "lifeSafetyOperation",
  "subscribeCOVProperty",
  "getEventInformation",
  "subscribeCOVPropertyMultiple",
  "confirmedCOVNotificationMultiple",
  "confirmedAuditNotification",
  "auditLogQuery",
];

/** Names of the unconfirmed services, by choice. */
export const UNCONFIRMED_NAMES: readonly string[] = [
  "i-Am",
  "i-Have",
  "unconfirmedCOVNotification",
  "unconfirmedEventNotification",
  "unconfirmedPrivateTransfer",
  "unconfirmedTextMessage",
  "timeSynchronization",
  "who-Has",
  "who-Is",
  "utcTimeSynchronization",
  "writeGroup",
  "unconfirmedCOVNotificationMultiple",
  "unconfirmedAuditNotification",
  "who-Am-I",
  "you-Are",
];

/** Object type names (BACnetObjectType 0–39). */
export const OBJECT_TYPES: readonly string[] = [
  "analog-input",
  "analog-output",
  "analog-value",
  "binary-input",
  "binary-output",
  "binary-value",
  "calendar",
  "command",
  "device",
  "event-enrollment",
  "file",
  "group",
  "loop",
  "multi-state-input",
  "multi-state-output",
  "notification-class",
  "program",
  "schedule",
  "averaging",
  "multi-state-value",
  "trend-log",
  "life-safety-point",
  "life-safety-zone",
  "accumulator",
  "pulse-converter",
  "event-log",
  "global-group",
  "trend-log-multiple",
  "load-control",
  "structured-view",
  "access-door",
  "timer",
  "access-credential",
  "access-point",
  "access-rights",
  "access-user",
  "access-zone",
  "credential-data-input",
  "network-security",
  "bitstring-value",
];

/** Name of object type `type`, or its number. */
export function objectTypeName(type: number): string {
  return OBJECT_TYPES[type] ?? String(type);
}

/** Property identifiers met most often (BACnetPropertyIdentifier). */
export const Property = {
  ALL: 8,
  APPLICATION_SOFTWARE_VERSION: 12,
  FIRMWARE_REVISION: 44,
  MODEL_NAME: 70,
  OBJECT_NAME: 77,
  VENDOR_NAME: 121,
} as const;

const PROPERTY_NAMES: Record<number, string> = {
  8: "all",
  12: "application-software-version",
  28: "description",
  44: "firmware-revision",
  62: "max-apdu-length-accepted",
  70: "model-name",
  75: "object-identifier",
  76: "object-list",
  77: "object-name",
  79: "object-type",
  81: "out-of-service",
  85: "present-value",
  87: "priority-array",
  96: "protocol-object-types-supported",
  97: "protocol-services-supported",
  98: "protocol-version",
  103: "reliability",
  104: "relinquish-default",
  107: "segmentation-supported",
  111: "status-flags",
  112: "system-status",
  117: "units",
  120: "vendor-identifier",
  121: "vendor-name",
  155: "database-revision",
};

/** Name of property `id`, or its number. */
export function propertyName(id: number): string {
  return PROPERTY_NAMES[id] ?? String(id);
}

/** BACnetSegmentation (clause 21). */
export const SEGMENTATION: readonly string[] = [
  "segmented-both",
  "segmented-transmit",
  "segmented-receive",
  "no-segmentation",
];

/** ReinitializeDevice states (clause 16.4). */
export const REINITIALIZE_STATES: readonly string[] = [
  "coldstart",
  "warmstart",
  "startbackup",
  "endbackup",
  "startrestore",
  "endrestore",
  "abortrestore",
  "activate-changes",
];

/** DeviceCommunicationControl enable-disable (clause 16.1). */
export const COMMUNICATION_STATES: readonly string[] = ["enable", "disable", "disable-initiation"];

/** Vendor identifiers of the ASHRAE registry (names as the registry spells them). */
export const VENDORS: Record<number, string> = {
  0: "ASHRAE",
  1: "NIST",
  2: "The Trane Company",
  3: "Daikin Applied Americas",
  4: "PolarSoft",
  5: "Johnson Controls, Inc.",
  6: "ABB (Formerly American Auto-Matrix)",
  7: "Siemens Schweiz AG (Formerly: Landis & Staefa Division Europe)",
  8: "Delta Controls",
  9: "Siemens Schweiz AG",
  10: "Schneider Electric",
  11: "TAC",
  14: "Cimetrics Technology",
  16: "United Technologies Carrier",
  17: "Honeywell Inc.",
  18: "Alerton / Honeywell",
  19: "TAC AB",
  23: "York Controls Group",
  24: "Automated Logic Corporation",
  26: "Phoenix Controls Corporation",
  28: "KMC Controls, Inc.",
  35: "Reliable Controls Corporation",
  36: "Tridium Inc.",
  39: "Kieback & Peter GmbH & Co KG",
  42: "Acuity Brands Lighting, Inc.",
  56: "Liebert Corporation",
  80: "Fr. Sauter AG",
  89: "Saia-Burgess Controls, Ltd.",
  105: "PRIVA BV",
  141: "Yaskawa America, Inc.",
  176: "Lutron Electronics Co., Inc.",
  178: "LOYTEC Electronics GmbH",
  190: "Danfoss Drives A/S",
  222: "WAGO Kontakttechnik GmbH & Co. KG",
  226: "Phoenix Contact GmbH & Co. KG",
  245: "Contemporary Control Systems, Inc.",
  284: "BELIMO Automation AG",
  313: "Siemens Industry, Inc.",
  332: "Distech Controls SAS",
  364: "Distech Controls Inc.",
  389: "Chipkin Automation Systems",
  415: "Beckhoff Automation",
  432: "LG Electronics Inc.",
  435: "Delta Electronics, Inc.",
};
