/**
 * DNP3 constants: link-layer control bits (IEEE 1815-2012 §9.2.4.1.3), transport header bits
 * (§8.2.1), application function codes (§4.2.2.5, Table 4-1… and §4.2.2.5 list) with the event
 * class of each request, and the internal indication bits (§4.2.2.7.2).
 *
 * @module
 */

/** Link control octet (§9.2.4.1.3). */
export const Control = { DIR: 0x80, PRM: 0x40, FUNCTION: 0x0f } as const;
/** Primary link functions that carry user data: 3 confirmed, 4 unconfirmed (§9.2.4.1.3.5). */
export const LINK_CONFIRMED_USER_DATA = 3;
export const LINK_UNCONFIRMED_USER_DATA = 4;
/** Transport header bits (§8.2.1.1). */
export const Transport = { FIN: 0x80, FIR: 0x40 } as const;
/** Destination addresses 0xFFF0–0xFFFF are reserved or broadcast (§9.2.5.2): no device has them. */
export const FIRST_RESERVED_ADDRESS = 0xfff0;

/** Application function codes of responses (§4.2.2.5). */
export const RESPONSE = 129;
export const UNSOLICITED_RESPONSE = 130;
export const AUTHENTICATE_RESPONSE = 131;
/** Object group 50: time and date (write g50v1/v3 sets the outstation clock). */
export const GROUP_TIME_AND_DATE = 50;

/** Event class of a request function: type suffix, `op`, severity ("" type: no event). */
export interface FunctionClass {
  readonly name: string;
  readonly op: string;
  readonly severity: "info" | "notice" | "warning" | "critical";
}

function fc(name: string, op: string, severity: FunctionClass["severity"]): FunctionClass {
  return { name, op, severity };
}

/** Application function codes 0–33 (§4.2.2.5), indexed by code. */
export const REQUEST_FUNCTIONS: readonly FunctionClass[] = [
  fc("confirm", "session", "info"),
  fc("read", "read", "info"),
  fc("write", "write", "notice"),
  fc("select", "command", "warning"),
  fc("operate", "command", "warning"),
  fc("direct_operate", "command", "warning"),
  fc("direct_operate_no_ack", "command", "warning"),
  fc("immediate_freeze", "command", "warning"),
  fc("immediate_freeze_no_ack", "command", "warning"),
  fc("freeze_clear", "command", "warning"),
  fc("freeze_clear_no_ack", "command", "warning"),
  fc("freeze_at_time", "command", "warning"),
  fc("freeze_at_time_no_ack", "command", "warning"),
  fc("cold_restart", "restart", "critical"),
  fc("warm_restart", "restart", "critical"),
  fc("initialize_data", "config_change", "warning"),
  fc("initialize_application", "config_change", "warning"),
  fc("start_application", "cpu_start", "critical"),
  fc("stop_application", "cpu_stop", "critical"),
  fc("save_configuration", "config_change", "warning"),
  fc("enable_unsolicited", "subscribe", "info"),
  fc("disable_unsolicited", "subscribe", "info"),
  fc("assign_class", "config_change", "notice"),
  fc("delay_measure", "time_sync", "info"),
  fc("record_current_time", "time_sync", "warning"),
  fc("open_file", "file_transfer", "notice"),
  fc("close_file", "file_transfer", "info"),
  fc("delete_file", "file_transfer", "warning"),
  fc("get_file_info", "file_transfer", "info"),
  fc("authenticate_file", "file_transfer", "notice"),
  fc("abort_file", "file_transfer", "info"),
  fc("activate_config", "config_change", "warning"),
  fc("authenticate_req", "session", "info"),
  fc("authenticate_err", "session", "info"),
];

/** A write whose first object is g50 (time and date): setting the outstation's clock. */
export const TIME_SYNC_WRITE: FunctionClass = fc("time_sync", "time_sync", "warning");
/** An unsolicited response (130): report by exception. */
export const UNSOLICITED: FunctionClass = fc("unsolicited_response", "publish", "info");

/** Name of an application function code, `unknown` for reserved codes. */
export function functionName(code: number): string {
  if (code < REQUEST_FUNCTIONS.length) return REQUEST_FUNCTIONS[code].name;
  if (code === RESPONSE) return "response";
  if (code === UNSOLICITED_RESPONSE) return "unsolicited_response";
  if (code === AUTHENTICATE_RESPONSE) return "authenticate_resp";
  return "unknown";
}

/** True for the function codes §4.2.2.5 defines. */
export function isDefinedFunction(code: number): boolean {
  return code < REQUEST_FUNCTIONS.length || (code >= RESPONSE && code <= AUTHENTICATE_RESPONSE);
}

/**
 * Internal indications (§4.2.2.7.2) as one 16-bit value, IIN1 in the high byte (as tshark's
 * `dnp3.al.iin`): the name of each bit, from IIN2.0 (bit 0) to IIN1.7 (bit 15).
 */
export const IIN_NAMES: readonly string[] = [
  "no_func_code_support",
  "object_unknown",
  "parameter_error",
  "event_buffer_overflow",
  "already_executing",
  "config_corrupt",
  "reserved_2",
  "reserved_1",
  "broadcast",
  "class_1_events",
  "class_2_events",
  "class_3_events",
  "need_time",
  "local_control",
  "device_trouble",
  "device_restart",
];

/**
 * IIN bits named in events' `iin` field: IIN1.4–1.7 and IIN2.0–2.5, not the broadcast and event
 * class bits, which change with every poll.
 */
export const IIN_NOTABLE_MASK = 0xf03f;

/** IIN bits worth an event of their own, with its class (the others are routine polling state). */
export const IIN_EVENTS: readonly (readonly [number, FunctionClass])[] = [
  [0x8000, fc("device_restart", "diagnostic", "notice")],
  [0x4000, fc("device_trouble", "diagnostic", "notice")],
  [0x2000, fc("local_control", "diagnostic", "info")],
  [0x1000, fc("need_time", "diagnostic", "info")],
  [0x0020, fc("config_corrupt", "diagnostic", "warning")],
];
/** IIN2.0–2.2: the outstation refused the request (the DNP3 analogue of an exception response). */
export const IIN_REFUSED_MASK = 0x0007;
export const REQUEST_REFUSED: FunctionClass = fc("request_refused", "exception", "notice");
