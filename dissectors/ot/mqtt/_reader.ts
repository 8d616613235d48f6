/**
 * Grammar of MQTT control packets (MQTT 3.1.1 OASIS Standard §2–3, MQTT 5.0 §2–3; MQTT 3.1
 * "MQIsdp" level 3), read into a reused {@linkcode MqttReader}.
 *
 * ```
 *  fixed header: byte 0 type (bits 7–4) and flags (bits 3–0), Remaining Length (variable byte
 *  integer, 1–4 bytes, 7 bits each, bit 7 = more)
 *  CONNECT   protocol name (UTF-8 string: u16 length + bytes) "MQTT"/"MQIsdp", level (3, 4, 5),
 *            connect flags (7 username, 6 password, 5 will retain, 4–3 will QoS, 2 will, 1 clean,
 *            0 reserved), keep alive (u16), [v5 properties], client id, [v5 will properties,
 *            will topic, will payload (u16 + bytes)], [username], [password (u16 + bytes)]
 *  CONNACK   acknowledge flags, return / reason code, [v5 properties]
 *  PUBLISH   topic (string), packet id (u16, QoS > 0), [v5 properties], payload
 *  SUBSCRIBE packet id, [v5 properties], { topic filter (string), options (1) }…
 *  UNSUBSCRIBE packet id, [v5 properties], { topic filter }…
 * ```
 * The protocol level of a SUBSCRIBE/UNSUBSCRIBE is not in the packet: the 3.1.1 layout is tried
 * first, then the 5.0 one (with properties).
 *
 * @module
 */

export const PacketType = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
} as const;

/** Status of a read. */
export const OK = "";
/** The fixed header is not a valid one (a segment starting mid-packet, or garbage). */
export const NOT_HEADER = "not a header";

/** Connect flags (MQTT 3.1.1 §3.1.2.3). */
export const ConnectFlag = {
  USERNAME: 0x80,
  PASSWORD: 0x40,
  WILL: 0x04,
  CLEAN: 0x02,
  RESERVED: 0x01,
} as const;

/** One control packet (reused). Offsets are into `bytes`; -1 when absent. */
export class MqttReader {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  type = 0;
  flags = 0;
  /** Remaining Length, the offset of the variable header, and the packet's end (may be past the capture). */
  length = 0;
  bodyAt = 0;
  pduEnd = 0;
  /** True when the whole packet is in the captured bytes. */
  complete = false;
  level = -1;
  connectFlags = 0;
  clientIdAt = -1;
  clientIdLength = 0;
  willTopicAt = -1;
  willTopicLength = 0;
  returnCode = -1;
  topicAt = -1;
  topicLength = 0;
  /** Topic filters of a SUBSCRIBE/UNSUBSCRIBE start here (see {@linkcode nextFilter}). */
  filtersAt = -1;
  filterAt = -1;
  filterLength = 0;
  filterOptions = -1;
  problemAt = 0;
  problemValue = -1;
  #pos = 0;

  #problem(text: string, at: number, value: number): string {
    this.problemAt = at;
    this.problemValue = value;
    return text;
  }

  /**
   * Reads the fixed header at `at` and, when the packet is complete, its variable header.
   * Returns {@linkcode OK}, {@linkcode NOT_HEADER} or a problem of a complete packet.
   */
  read(bytes: Uint8Array, view: DataView, at: number, end: number): string {
    this.bytes = bytes;
    this.view = view;
    this.level =
      this.returnCode =
      this.clientIdAt =
      this.willTopicAt =
      this.topicAt =
      this.filtersAt =
        -1;
    this.connectFlags = 0;
    const first = bytes[at];
    const type = first >> 4;
    const flags = first & 0x0f;
    this.type = type;
    this.flags = flags;
    if (type === 0) return this.#problem(NOT_HEADER, at, first);
    if (
      (type === PacketType.PUBREL || type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE) &&
      flags !== 2
    ) {
      return this.#problem(NOT_HEADER, at, first);
    }
    if (type === PacketType.PUBLISH && (flags & 0x06) === 0x06) return this.#problem(NOT_HEADER, at, first);
    let length = 0;
    let pos = at + 1;
    for (let i = 0;; i++) {
      if (pos >= end) {
        // The header itself continues past the captured bytes: the length is not known yet.
        this.complete = false;
        this.length = -1;
        this.pduEnd = end + 1;
        return OK;
      }
      if (i === 4) return this.#problem(NOT_HEADER, pos, bytes[pos]);
      const b = bytes[pos++];
      length += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) break;
    }
    this.length = length;
    this.bodyAt = pos;
    this.pduEnd = pos + length;
    this.complete = this.pduEnd <= end;
    if (!this.complete) return OK;
    this.#pos = pos;
    if (type === PacketType.CONNECT) return this.#connect();
    if (type === PacketType.CONNACK) {
      if (length < 2) return this.#problem("CONNACK shorter than 2 bytes", pos, length);
      this.returnCode = bytes[pos + 1];
    } else if (type === PacketType.PUBLISH) {
      const status = this.#string();
      if (status !== OK) return status;
      this.topicAt = this.#stringAt;
      this.topicLength = this.#stringLength;
      if (flags & 0x06 && !this.#skip(2)) {
        return this.#problem("PUBLISH without packet identifier", this.#pos, length);
      }
    } else if (type === PacketType.SUBSCRIBE || type === PacketType.UNSUBSCRIBE) {
      return this.#filters(type === PacketType.SUBSCRIBE ? 1 : 0);
    } else if ((type === PacketType.PINGREQ || type === PacketType.PINGRESP) && length !== 0) {
      return this.#problem("PINGREQ/PINGRESP with a body", pos, length);
    }
    return OK;
  }

  #stringAt = 0;
  #stringLength = 0;

  /** A u16-length string or binary field at the cursor (bounds: the packet). */
  #string(): string {
    if (this.pduEnd - this.#pos < 2) return this.#problem("string past the end of the packet", this.#pos, -1);
    const length = this.view.getUint16(this.#pos);
    if (length > this.pduEnd - this.#pos - 2) {
      return this.#problem("string past the end of the packet", this.#pos, length);
    }
    this.#stringAt = this.#pos + 2;
    this.#stringLength = length;
    this.#pos += 2 + length;
    return OK;
  }

  #skip(n: number): boolean {
    if (this.pduEnd - this.#pos < n) return false;
    this.#pos += n;
    return true;
  }

  /** Skips MQTT 5 properties (a variable byte integer length, then the properties). */
  #properties(): boolean {
    let length = 0;
    for (let i = 0;; i++) {
      if (i === 4 || this.#pos >= this.pduEnd) return false;
      const b = this.bytes[this.#pos++];
      length += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) break;
    }
    return this.#skip(length);
  }

  #connect(): string {
    let status = this.#string();
    if (status !== OK) return status;
    const name = this.#stringAt;
    const bytes = this.bytes;
    if (
      !isText(bytes, name, this.#stringLength, "MQTT") && !isText(bytes, name, this.#stringLength, "MQIsdp")
    ) {
      return this.#problem("unknown MQTT protocol name", name, this.#stringLength);
    }
    if (this.pduEnd - this.#pos < 4) {
      return this.#problem("CONNECT ends inside its variable header", this.#pos, -1);
    }
    const level = bytes[this.#pos];
    if (level < 3 || level > 5) return this.#problem("unknown MQTT protocol level", this.#pos, level);
    const flags = bytes[this.#pos + 1];
    if (flags & ConnectFlag.RESERVED) return this.#problem("CONNECT reserved flag set", this.#pos + 1, flags);
    this.level = level;
    this.connectFlags = flags;
    this.#pos += 4;
    if (level === 5 && !this.#properties()) {
      return this.#problem("CONNECT properties past the packet", this.#pos, -1);
    }
    status = this.#string();
    if (status !== OK) return status;
    this.clientIdAt = this.#stringAt;
    this.clientIdLength = this.#stringLength;
    if (flags & ConnectFlag.WILL) {
      if (level === 5 && !this.#properties()) {
        return this.#problem("will properties past the packet", this.#pos, -1);
      }
      status = this.#string();
      if (status !== OK) return status;
      this.willTopicAt = this.#stringAt;
      this.willTopicLength = this.#stringLength;
      status = this.#string();
      if (status !== OK) return status;
    }
    // Username and password are checked for length, never kept.
    if (flags & ConnectFlag.USERNAME && (status = this.#string()) !== OK) return status;
    if (flags & ConnectFlag.PASSWORD && (status = this.#string()) !== OK) return status;
    return OK;
  }

  /** True when topic filters (with `options` bytes each) fill the packet exactly from the cursor. */
  #fill(options: number): boolean {
    const start = this.#pos;
    let count = 0;
    while (this.#pos < this.pduEnd) {
      if (this.#string() !== OK || this.#stringLength === 0 || !this.#skip(options)) {
        this.#pos = start;
        return false;
      }
      count++;
    }
    this.#pos = start;
    return count > 0;
  }

  #filters(options: number): string {
    if (!this.#skip(2)) {
      return this.#problem("SUBSCRIBE/UNSUBSCRIBE without packet identifier", this.#pos, -1);
    }
    const afterId = this.#pos;
    if (this.#fill(options)) {
      this.filtersAt = afterId;
      this.level = 4;
      return OK;
    }
    if (this.#properties() && this.#fill(options)) {
      this.filtersAt = this.#pos;
      this.level = 5;
      return OK;
    }
    return this.#problem("topic filters do not fill the packet", afterId, -1);
  }

  /** Next topic filter of a SUBSCRIBE/UNSUBSCRIBE read with `OK` (`filterAt` -1 at the end). */
  nextFilter(): void {
    this.filterAt = -1;
    if (this.filtersAt < 0 || this.filtersAt >= this.pduEnd) return;
    this.#pos = this.filtersAt;
    this.#string();
    this.filterAt = this.#stringAt;
    this.filterLength = this.#stringLength;
    const options = this.type === PacketType.SUBSCRIBE ? 1 : 0;
    this.filterOptions = options ? this.bytes[this.#pos] : -1;
    this.filtersAt = this.#pos + options;
  }
}

/** True when `bytes[at, at + length)` is exactly the ASCII `text`. */
function isText(bytes: Uint8Array, at: number, length: number, text: string): boolean {
  if (length !== text.length) return false;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}
