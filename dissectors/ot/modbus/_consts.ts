/**
 * Modbus constants: public function codes and exception codes (Modbus Application Protocol
 * Specification v1.1b3, §5.1 "Public function code definition" and §7 "MODBUS exception responses"),
 * Read Device Identification objects (§6.21) and the event class of each function.
 *
 * @module
 */

/** Public function codes (§5.1). */
export const FunctionCode = {
  READ_COILS: 1,
  READ_DISCRETE_INPUTS: 2,
  READ_HOLDING_REGISTERS: 3,
  READ_INPUT_REGISTERS: 4,
  WRITE_SINGLE_COIL: 5,
  WRITE_SINGLE_REGISTER: 6,
  READ_EXCEPTION_STATUS: 7,
  DIAGNOSTICS: 8,
  GET_COMM_EVENT_COUNTER: 11,
  GET_COMM_EVENT_LOG: 12,
  WRITE_MULTIPLE_COILS: 15,
  WRITE_MULTIPLE_REGISTERS: 16,
  REPORT_SERVER_ID: 17,
  READ_FILE_RECORD: 20,
  WRITE_FILE_RECORD: 21,
  MASK_WRITE_REGISTER: 22,
  READ_WRITE_MULTIPLE_REGISTERS: 23,
  READ_FIFO_QUEUE: 24,
  ENCAPSULATED_INTERFACE: 43,
} as const;

/** MEI type of Read Device Identification inside function 43 (§6.21). */
export const MEI_READ_DEVICE_ID = 14;

/** Diagnostics sub-functions that take a device off the bus (§6.8.1): 1 restart, 4 listen only. */
export const DIAG_RESTART_COMMUNICATIONS = 1;
export const DIAG_FORCE_LISTEN_ONLY = 4;

const FUNCTION_NAMES: Record<number, string> = {
  1: "read_coils",
  2: "read_discrete_inputs",
  3: "read_holding_registers",
  4: "read_input_registers",
  5: "write_single_coil",
  6: "write_single_register",
  7: "read_exception_status",
  8: "diagnostics",
  11: "get_comm_event_counter",
  12: "get_comm_event_log",
  15: "write_multiple_coils",
  16: "write_multiple_registers",
  17: "report_server_id",
  20: "read_file_record",
  21: "write_file_record",
  22: "mask_write_register",
  23: "read_write_multiple_registers",
  24: "read_fifo_queue",
  43: "encapsulated_interface_transport",
};

/** Name of a function code (without the exception bit), `unknown` for codes §5.1 does not define. */
export function functionName(code: number): string {
  return FUNCTION_NAMES[code] ?? "unknown";
}

/** True for the public function codes of §5.1 (what the heuristic probe accepts). */
export function isPublicFunction(code: number): boolean {
  return FUNCTION_NAMES[code] !== undefined;
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: "illegal_function",
  2: "illegal_data_address",
  3: "illegal_data_value",
  4: "server_device_failure",
  5: "acknowledge",
  6: "server_device_busy",
  8: "memory_parity_error",
  10: "gateway_path_unavailable",
  11: "gateway_target_device_failed_to_respond",
};

/** Name of an exception code (§7), `unknown` otherwise. */
export function exceptionName(code: number): string {
  return EXCEPTION_NAMES[code] ?? "unknown";
}

/** Exception codes only a gateway sends (§7: 0x0A, 0x0B). */
export const EXCEPTION_GATEWAY_PATH_UNAVAILABLE = 10;
export const EXCEPTION_GATEWAY_TARGET_FAILED = 11;

/**
 * Identity keys of the basic and regular Read Device Identification objects (§6.21, table "Object
 * Id"): 0 VendorName … 6 UserApplicationName. Generic `ot.*` keys where the README defines one.
 */
export const DEVICE_ID_KEYS: readonly string[] = [
  "ot.vendor",
  "ot.product_code",
  "ot.firmware",
  "modbus.vendor_url",
  "ot.product",
  "modbus.model_name",
  "modbus.user_application_name",
];

/** Event class of a request: type suffix, `op`, severity. */
export interface FunctionClass {
  readonly type: string;
  readonly op: string;
  readonly severity: "info" | "notice" | "warning" | "critical";
}

const READ: FunctionClass = { type: "modbus.read", op: "read", severity: "info" };
const WRITE: FunctionClass = { type: "modbus.write", op: "write", severity: "notice" };
const DIAGNOSTIC: FunctionClass = { type: "modbus.diagnostic", op: "diagnostic", severity: "info" };
const FILE_READ: FunctionClass = { type: "modbus.file_read", op: "file_transfer", severity: "info" };
const FILE_WRITE: FunctionClass = { type: "modbus.file_write", op: "file_transfer", severity: "notice" };
const IDENTIFY: FunctionClass = { type: "modbus.identify", op: "identify", severity: "info" };
const OTHER: FunctionClass = { type: "modbus.other", op: "other", severity: "info" };
/** Diagnostics sub-function 1 (restart communications option). */
export const RESTART: FunctionClass = {
  type: "modbus.restart_communications",
  op: "restart",
  severity: "critical",
};
/** Diagnostics sub-function 4 (force listen only mode: the device stops answering until restarted). */
export const LISTEN_ONLY: FunctionClass = {
  type: "modbus.force_listen_only",
  op: "restart",
  severity: "critical",
};
/** An exception response. */
export const EXCEPTION: FunctionClass = { type: "modbus.exception", op: "exception", severity: "notice" };

/** Event class of a request with function `code` (43 is refined by its MEI type by the caller). */
export function functionClass(code: number, meiType: number): FunctionClass {
  switch (code) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 24:
      return READ;
    case 5:
    case 6:
    case 15:
    case 16:
    case 22:
    case 23:
      return WRITE;
    case 7:
    case 8:
    case 11:
    case 12:
    case 17:
      return DIAGNOSTIC;
    case 20:
      return FILE_READ;
    case 21:
      return FILE_WRITE;
    case 43:
      return meiType === MEI_READ_DEVICE_ID ? IDENTIFY : OTHER;
    default:
      return OTHER;
  }
}
