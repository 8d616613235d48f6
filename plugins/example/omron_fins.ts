/**
 * Omron FINS (Factory Interface Network Service) on UDP and TCP port 9600: commands and responses
 * between a client (HMI, SCADA, engineering tool) and a PLC. Omron "FINS Commands Reference
 * Manual" (W227), "Command and response formats" and "Command lists"; FINS/TCP framing from the
 * CS/CJ "Ethernet Units Operation Manual" (W421), "FINS/TCP method".
 *
 * ```
 * FINS frame (the whole UDP datagram; after the FINS/TCP header on TCP)
 *  0 ICF  bit 7 gateway, bit 6 response (0 command, 1 response), bit 0 response not required,
 *         bits 1–5 reserved (0)
 *  1 RSV (0)   2 GCT gateway count (2)   3 DNA  4 DA1  5 DA2 (destination net/node/unit)
 *  6 SNA  7 SA1  8 SA2 (source net/node/unit)   9 SID service id
 * 10 MRC  11 SRC command code       12 command data
 *                                   12 MRES 13 SRES end code (responses)  14 response data
 * end code: MRES bit 7 network relay error, SRES bit 7 fatal / bit 6 non-fatal CPU error flags
 *
 * FINS/TCP header (big endian, 16 bytes), then the FINS frame when command = 2
 *  0 "FINS"  4 length (bytes after this field)  8 command (0 client node address, 1 server node
 *  address, 2 FINS frame, 3 error notification, 6 connection confirmation)  12 error code
 * ```
 *
 * Reports `fins.role` (`client` sends commands, `server` answers), one event per command (its
 * severity from what the command does: reads `info`, writes `notice`, clock write and forced
 * set/reset `warning`, RUN/STOP and program area access `critical`), `fins.error` for a response
 * with a non-zero end code, and the controller model and version of a Controller Data Read
 * response as `ot.product` / `ot.firmware`.
 *
 * An example drop-in plugin: load it with `netsentinel analyze FILE --plugins plugins/example`.
 */
import {
  Decoded,
  decodeText,
  type Dissector,
  type Observer,
  type Packet,
  type Severity,
} from "../../dissectors/api.ts";

const PROTO = "FINS";
const PROTO_TCP = "FINS/TCP";
const PORT = 9600;
const HEADER = 10;
const TCP_HEADER = 16;
/** "FINS" in ASCII. */
const TCP_MAGIC = 0x46494e53;
/** Longest FINS frame (W227: 2 000 bytes of command data after the header and command code). */
const MAX_FRAME = 2012;
const ICF_GATEWAY = 0x80;
const ICF_RESPONSE = 0x40;
const ICF_RESERVED = 0x3e;
/** End code flags (W227, "End codes"): MRES bit 7, SRES bits 7 and 6. */
const END_RELAY_ERROR = 0x80;
const END_FATAL = 0x80;
const END_NON_FATAL = 0x40;

/** A command: event type suffix, name, `op` and severity. */
interface Command {
  type: string;
  name: string;
  op: string;
  severity: Severity;
}

const COMMANDS = new Map<number, Command>();
function define(code: number, type: string, name: string, op: string, severity: Severity): void {
  COMMANDS.set(code, { type: `fins.${type}`, name, op, severity });
}
define(0x0101, "memory_read", "Memory Area Read", "read", "info");
define(0x0102, "memory_write", "Memory Area Write", "write", "notice");
define(0x0103, "memory_fill", "Memory Area Fill", "write", "notice");
define(0x0104, "multiple_read", "Multiple Memory Area Read", "read", "info");
define(0x0105, "memory_transfer", "Memory Area Transfer", "write", "notice");
define(0x0201, "parameter_read", "Parameter Area Read", "read", "info");
define(0x0202, "parameter_write", "Parameter Area Write", "config_change", "warning");
define(0x0203, "parameter_clear", "Parameter Area Clear", "config_change", "warning");
define(0x0220, "data_link_table_read", "Data Link Table Read", "read", "info");
define(0x0221, "data_link_table_write", "Data Link Table Write", "config_change", "warning");
define(0x0304, "program_protect", "Program Area Protect", "config_change", "warning");
define(0x0305, "program_protect_clear", "Program Area Protect Clear", "config_change", "warning");
define(0x0306, "program_read", "Program Area Read", "program_upload", "critical");
define(0x0307, "program_write", "Program Area Write", "program_download", "critical");
define(0x0308, "program_clear", "Program Area Clear", "program_delete", "critical");
define(0x0401, "run", "RUN", "cpu_start", "critical");
define(0x0402, "stop", "STOP", "cpu_stop", "critical");
define(0x0501, "controller_data_read", "Controller Data Read", "identify", "info");
define(0x0502, "connection_data_read", "Connection Data Read", "identify", "info");
define(0x0601, "status_read", "Controller Status Read", "diagnostic", "info");
define(0x0602, "network_status_read", "Network Status Read", "diagnostic", "info");
define(0x0603, "data_link_status_read", "Data Link Status Read", "diagnostic", "info");
define(0x0620, "cycle_time_read", "Cycle Time Read", "diagnostic", "info");
define(0x0701, "clock_read", "Clock Read", "read", "info");
define(0x0702, "clock_write", "Clock Write", "time_sync", "warning");
define(0x0801, "loopback_test", "Internode Echo Test", "diagnostic", "info");
define(0x0802, "broadcast_test_read", "Broadcast Test Results Read", "diagnostic", "info");
define(0x0803, "broadcast_test_send", "Broadcast Test Data Send", "diagnostic", "info");
define(0x0920, "message_read", "Message Read / Clear, FAL/FALS Read", "diagnostic", "info");
define(0x0c01, "access_acquire", "Access Right Acquire", "session", "info");
define(0x0c02, "access_forced_acquire", "Access Right Forced Acquire", "session", "notice");
define(0x0c03, "access_release", "Access Right Release", "session", "info");
define(0x2101, "error_clear", "Error Clear", "command", "warning");
define(0x2102, "error_log_read", "Error Log Read", "diagnostic", "info");
define(0x2103, "error_log_clear", "Error Log Clear", "command", "notice");
define(0x2201, "file_name_read", "File Name Read", "file_transfer", "info");
define(0x2202, "file_read", "Single File Read", "file_transfer", "info");
define(0x2203, "file_write", "Single File Write", "file_transfer", "warning");
define(0x2204, "file_memory_format", "File Memory Format", "file_transfer", "warning");
define(0x2205, "file_delete", "File Delete", "file_transfer", "warning");
define(0x2206, "volume_label", "Volume Label Create/Delete", "file_transfer", "warning");
define(0x2207, "file_copy", "File Copy", "file_transfer", "warning");
define(0x2208, "file_rename", "File Name Change", "file_transfer", "warning");
define(0x2209, "file_check", "File Data Check", "file_transfer", "info");
define(0x220a, "memory_file_transfer", "Memory Area File Transfer", "file_transfer", "warning");
define(0x220b, "parameter_file_transfer", "Parameter Area File Transfer", "file_transfer", "warning");
define(0x220c, "program_file_transfer", "Program Area File Transfer", "file_transfer", "warning");
define(0x220f, "file_index_read", "File Memory Index Read", "file_transfer", "info");
define(0x2210, "file_memory_read", "File Memory Read", "file_transfer", "info");
define(0x2211, "file_memory_write", "File Memory Write", "file_transfer", "warning");
define(0x2215, "directory", "Create/Delete Directory", "file_transfer", "warning");
define(0x2301, "forced_set_reset", "Forced Set/Reset", "command", "warning");
define(0x2302, "forced_cancel", "Forced Set/Reset Cancel", "command", "warning");
define(0x230a, "forced_status_read", "Multiple Forced Status Read", "read", "info");
define(0x2601, "name_set", "Name Set", "config_change", "notice");
define(0x2602, "name_delete", "Name Delete", "config_change", "notice");
define(0x2603, "name_read", "Name Read", "read", "info");

/** A command code not in the table: reported, but never claimed by the heuristic. */
const UNKNOWN: Command = { type: "fins.command", name: "unknown", op: "other", severity: "info" };

/** FINS/TCP header commands (W421). */
const TcpCommand = { CLIENT_NODE: 0, SERVER_NODE: 1, FRAME: 2, ERROR: 3, CONFIRM: 6 } as const;

/** True when the datagram at `at` (to `end`) looks like a FINS frame: strict, for odd ports. */
function looksLikeFrame(packet: Packet, at: number, end: number): boolean {
  if (end - at < HEADER + 2) return false;
  const bytes = packet.bytes;
  const icf = bytes[at];
  if ((icf & ICF_GATEWAY) === 0 || (icf & ICF_RESERVED) !== 0 || bytes[at + 1] !== 0) return false;
  // Gateway count: 02, or 07 when crossing up to 8 network levels (CS/CJ FINS manual W342).
  if (bytes[at + 2] !== 2 && bytes[at + 2] !== 7) return false;
  if ((icf & ICF_RESPONSE) !== 0 && end - at < HEADER + 4) return false;
  return end - at <= MAX_FRAME && COMMANDS.has(packet.view.getUint16(at + HEADER));
}

/** True when the destination address of the packet is a single host (not broadcast/multicast). */
function unicastDestination(packet: Packet): boolean {
  const ip = packet.dstIpOffset;
  if (packet.ipVersion === 4) return packet.bytes[ip] < 224 && packet.bytes[ip + 3] !== 255;
  if (packet.ipVersion === 6) return packet.bytes[ip] !== 0xff;
  return false;
}

/** Fields common to a command's event: command, name, operation, node addresses. */
function commandFields(
  packet: Packet,
  at: number,
  code: number,
  command: Command,
): Record<string, string | number | boolean> {
  const bytes = packet.bytes;
  const fields: Record<string, string | number | boolean> = {
    op: command.op,
    command: code,
    command_name: command.name,
    dna: bytes[at + 3],
    da1: bytes[at + 4],
    sna: bytes[at + 6],
    sa1: bytes[at + 7],
  };
  return fields;
}

/** Memory area fields of 0101–0105 (area code, word address, item count); false when too short. */
function memoryFields(
  packet: Packet,
  data: number,
  end: number,
  code: number,
  fields: Record<string, string | number | boolean>,
): boolean {
  const view = packet.view;
  if (code === 0x0104) {
    // One or more (area 1, address 3) items.
    if (end - data < 4) return false;
    fields.area = packet.bytes[data];
    fields.items = Math.floor((end - data) / 4);
    return true;
  }
  if (code === 0x0105) {
    // Source area + address, destination area + address, count.
    if (end - data < 10) return false;
    fields.area = packet.bytes[data];
    fields.address = view.getUint16(data + 1);
    fields.to_area = packet.bytes[data + 4];
    fields.to_address = view.getUint16(data + 5);
    fields.count = view.getUint16(data + 8);
    return true;
  }
  // 0101 read, 0102 write, 0103 fill: area, address (word 2 + bit 1), count.
  if (end - data < 6) return false;
  fields.area = packet.bytes[data];
  fields.address = view.getUint16(data + 1);
  fields.count = view.getUint16(data + 4);
  return true;
}

/** Sets `fins.role` on both ends: the sender of a command is the client. */
function roles(packet: Packet, out: Observer, response: boolean, broadcastNode: boolean): void {
  out.identity(packet, "src", { key: "fins.role", value: response ? "server" : "client", confidence: 80 });
  if (!broadcastNode && unicastDestination(packet)) {
    out.identity(packet, "dst", { key: "fins.role", value: response ? "client" : "server", confidence: 70 });
  }
}

/**
 * A frame too short for what its command code announces. On UDP the datagram end may be the
 * snapshot length (truncated) or the frame is short (malformed); on TCP the frame length was
 * already checked against the captured bytes, so the length field itself is wrong.
 */
function short(packet: Packet, udp: boolean, where: number): number {
  return udp ? packet.truncated(PROTO, where) : packet.fail(PROTO, "frame shorter than its command", where);
}

/** Decodes one FINS frame from `at` to `end` (`udp`: the frame is the datagram). */
function decodeFrame(packet: Packet, out: Observer, at: number, end: number, udp: boolean): number {
  if (end - at < HEADER + 2) return short(packet, udp, at);
  const bytes = packet.bytes;
  const icf = bytes[at];
  if ((icf & ICF_RESERVED) !== 0) return packet.fail(PROTO, "reserved ICF bits set", at, icf);
  if (bytes[at + 1] !== 0) return packet.fail(PROTO, "reserved byte is not 0", at + 1, bytes[at + 1]);
  if (end - at > MAX_FRAME) return packet.fail(PROTO, "frame longer than 2012 bytes", at, end - at);
  const code = packet.view.getUint16(at + HEADER);
  const command = COMMANDS.get(code) ?? UNKNOWN;
  const response = (icf & ICF_RESPONSE) !== 0;
  if (!response) {
    const fields = commandFields(packet, at, code, command);
    if (code >= 0x0101 && code <= 0x0105 && !memoryFields(packet, at + 12, end, code, fields)) {
      return short(packet, udp, end);
    }
    roles(packet, out, false, bytes[at + 4] === 0xff);
    out.event(packet, { type: command.type, severity: command.severity, fields });
    return Decoded.DONE;
  }
  if (end - at < HEADER + 4) return short(packet, udp, at + HEADER + 2);
  roles(packet, out, true, false);
  const mres = bytes[at + 12];
  const sres = bytes[at + 13];
  const main = mres & 0x7f;
  const sub = sres & 0x3f;
  if (mres !== 0 || sres !== 0) {
    // An error, or a completed command from a PLC reporting a CPU error (flag bits only).
    const fields = commandFields(packet, at, code, command);
    fields.op = "exception";
    fields.main_code = main;
    fields.sub_code = sub;
    if (mres & END_RELAY_ERROR) fields.relay_error = true;
    if (sres & (END_FATAL | END_NON_FATAL)) fields.cpu_error = sres & END_FATAL ? "fatal" : "non_fatal";
    out.event(packet, { type: "fins.error", severity: "notice", fields });
    // After a relay error the end code is followed by the relay network and node (W227).
    if (main !== 0 || sub !== 0 || (mres & END_RELAY_ERROR) !== 0) return Decoded.DONE;
  }
  // Controller Data Read: model (20) and version (20) lead the response unless only the CPU bus
  // unit configuration (67 bytes) was asked for.
  const data = at + HEADER + 4;
  if (code === 0x0501 && end - data >= 40 && end - data !== 67) {
    // Space- or NUL-padded fixed fields: the plugin API's text rule (decodeText) trims the padding.
    const model = decodeText(bytes, data, 20);
    const version = decodeText(bytes, data + 20, 20);
    if (model !== "") out.identity(packet, "src", { key: "ot.product", value: model, confidence: 90 });
    if (version !== "") out.identity(packet, "src", { key: "ot.firmware", value: version, confidence: 90 });
    out.identity(packet, "src", { key: "ot.vendor", value: "Omron", confidence: 70 });
  }
  return Decoded.DONE;
}

/** Decodes the FINS/TCP frames of a segment; a segment not starting with "FINS" is mid-frame: skipped. */
function decodeTcp(packet: Packet, out: Observer): number {
  const view = packet.view;
  const start = packet.payloadOffset;
  const end = start + packet.payloadLength;
  const cut = packet.caplen < packet.wirelen;
  let at = start;
  while (at < end) {
    // A frame that continues in the next segment: the engine joins them (packet.desegment).
    if (end - at < 4) return cut ? packet.truncated(PROTO_TCP, at) : packet.desegment(at);
    if (view.getUint32(at) !== TCP_MAGIC) {
      // The first bytes of a segment may continue a frame of the previous one; after a whole
      // frame, the next must start with the magic.
      if (at === start) return Decoded.DONE;
      return packet.fail(PROTO_TCP, "no FINS magic after the previous frame", at, view.getUint32(at));
    }
    if (end - at < TCP_HEADER) return cut ? packet.truncated(PROTO_TCP, at) : packet.desegment(at);
    const length = view.getUint32(at + 4);
    if (length < 8 || length > 8 + MAX_FRAME) {
      return packet.fail(PROTO_TCP, "length field out of range", at + 4, length);
    }
    const frameEnd = at + 8 + length;
    // The rest of the frame is in the next segment(s), or was cut by the snapshot length.
    if (frameEnd > end) return cut ? packet.truncated(PROTO_TCP, end) : packet.desegment(at, 8 + length);
    const command = view.getUint32(at + 8);
    const error = view.getUint32(at + 12);
    if (command === TcpCommand.FRAME) {
      const result = decodeFrame(packet, out, at + TCP_HEADER, frameEnd, false);
      if (result !== Decoded.DONE) return result;
    } else if (command === TcpCommand.CLIENT_NODE || command === TcpCommand.SERVER_NODE) {
      const server = command === TcpCommand.SERVER_NODE;
      out.identity(packet, "src", { key: "fins.role", value: server ? "server" : "client", confidence: 70 });
    } else if (command !== TcpCommand.ERROR && command !== TcpCommand.CONFIRM) {
      return packet.fail(PROTO_TCP, "unknown FINS/TCP command", at + 8, command);
    }
    if (error !== 0) {
      out.event(packet, {
        type: "fins.tcp_error",
        severity: "notice",
        fields: { op: "exception", tcp_command: command, error_code: error },
      });
    }
    at = frameEnd;
  }
  return Decoded.DONE;
}

/** Omron FINS over UDP and TCP (port 9600, or any UDP port by heuristic). */
export const dissector: Dissector = {
  name: "fins",
  title: "Omron FINS (Factory Interface Network Service)",
  registration: {
    tables: { "udp.port": [PORT], "tcp.port": [PORT] },
    heuristics: ["udp"],
  },
  probe(packet) {
    const at = packet.payloadOffset;
    return at >= 0 && looksLikeFrame(packet, at, at + packet.payloadLength);
  },
  decode(packet, out) {
    if (packet.payloadOffset < 0) return Decoded.DONE;
    if (packet.ipProto === 6) return decodeTcp(packet, out);
    const at = packet.payloadOffset;
    return decodeFrame(packet, out, at, at + packet.payloadLength, true);
  },
};
