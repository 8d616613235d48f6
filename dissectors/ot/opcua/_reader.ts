/**
 * Grammar of OPC UA Connection Protocol and Secure Conversation chunks (OPC 10000-6 "Part 6:
 * Mappings" §7.1.2 message header, §7.1.2.3–7.1.2.5 Hello/Acknowledge/Error, §6.7.2 security
 * headers, §5.2 built-in type encodings), read into a reused {@linkcode OpcUaReader}.
 *
 * ```
 *  0 MessageType (3: HEL ACK ERR RHE OPN CLO MSG)  3 ChunkType (F final, C intermediate, A abort)
 *  4 MessageSize (UInt32 LE, whole chunk)
 *  HEL  8 ProtocolVersion 12 ReceiveBufferSize 16 SendBufferSize 20 MaxMessageSize 24 MaxChunkCount 28 EndpointUrl (String)
 *  ACK  8 ProtocolVersion … 24 MaxChunkCount (28 bytes)       ERR 8 Error (StatusCode) 12 Reason (String)
 *  OPN  8 SecureChannelId 12 SecurityPolicyUri (String) SenderCertificate (ByteString)
 *       ReceiverCertificateThumbprint (ByteString), then SequenceNumber, RequestId and the body
 *  MSG/CLO 8 SecureChannelId 12 TokenId 16 SequenceNumber 20 RequestId 24 body
 *  body: TypeId (NodeId, the service's binary encoding id) then the request or response
 * ```
 * Strings and ByteStrings are an Int32 length (-1 null) and bytes. A body is decoded only when
 * its TypeId is a known service encoding id (an encrypted body then almost never matches); a
 * body that does not parse is left alone, never malformed (it may be encrypted).
 *
 * @module
 */

import { SERVICES, TokenType } from "./_services.ts";

/** Message types packed as `b0 << 16 | b1 << 8 | b2`. */
export const MessageType = {
  HEL: 0x48454c,
  ACK: 0x41434b,
  ERR: 0x455252,
  RHE: 0x524845,
  OPN: 0x4f504e,
  CLO: 0x434c4f,
  MSG: 0x4d5347,
} as const;

/** Status of a read. */
export const OK = "";
/** The chunk continues past the captured bytes or the segment: nothing more can be read. */
export const PARTIAL = "partial";

/** True when `type` (packed) is one of the seven message types. */
export function isMessageType(type: number): boolean {
  return type === MessageType.HEL || type === MessageType.ACK || type === MessageType.ERR ||
    type === MessageType.RHE || type === MessageType.OPN || type === MessageType.CLO ||
    type === MessageType.MSG;
}

/** Minimum MessageSize of each type (header and fixed fields). */
function minimumSize(type: number): number {
  if (type === MessageType.HEL) return 32;
  if (type === MessageType.ACK) return 28;
  if (type === MessageType.ERR) return 16;
  if (type === MessageType.OPN) return 20;
  if (type === MessageType.MSG || type === MessageType.CLO) return 24;
  return 8;
}

/** One chunk (reused). Offsets are into `bytes`; -1 when absent. */
export class OpcUaReader {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  type = 0;
  chunk = 0;
  size = 0;
  at = 0;
  /** One past the chunk's last readable byte (the chunk end or the captured end). */
  limit = 0;
  /** True when the whole chunk is in the captured bytes. */
  complete = false;
  endpointAt = -1;
  endpointLength = 0;
  policyAt = -1;
  policyLength = 0;
  hasCertificate = false;
  errorCode = -1;
  secureChannelId = -1;
  /** Numeric ns-0 TypeId of the body, or -1. */
  serviceId = -1;
  requestType = -1;
  securityMode = -1;
  /** Numeric TypeId of the ActivateSession user identity token, or -1. */
  tokenType = -1;
  /** ServiceResult of a ServiceFault, or -1. */
  serviceResult = -1;
  problemAt = 0;
  problemValue = -1;
  #pos = 0;

  #problem(text: string, at: number, value: number): string {
    this.problemAt = at;
    this.problemValue = value;
    return text;
  }

  /**
   * Reads the chunk header at `at` (at least 8 bytes before `end`) and its cleartext fields.
   * Returns {@linkcode OK}, {@linkcode PARTIAL} (fields past the captured bytes) or a problem.
   * The caller has checked that the first three bytes are a message type.
   */
  read(bytes: Uint8Array, view: DataView, at: number, end: number): string {
    this.bytes = bytes;
    this.view = view;
    this.at = at;
    this.type = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
    this.chunk = bytes[at + 3];
    this.size = view.getUint32(at + 4, true);
    this.endpointAt =
      this.policyAt =
      this.errorCode =
      this.secureChannelId =
        -1;
    this.serviceId =
      this.requestType =
      this.securityMode =
      this.tokenType =
      this.serviceResult =
        -1;
    this.hasCertificate = false;
    const chunk = this.chunk;
    if (chunk !== 0x46 && chunk !== 0x43 && chunk !== 0x41) {
      return this.#problem("unknown chunk type", at + 3, chunk);
    }
    if (chunk !== 0x46 && this.type !== MessageType.MSG && this.type !== MessageType.OPN) {
      return this.#problem("only MSG and OPN messages may be split into chunks", at + 3, chunk);
    }
    if (this.size < minimumSize(this.type)) {
      return this.#problem("message size below its minimum", at + 4, this.size);
    }
    this.complete = this.size <= end - at;
    this.limit = this.complete ? at + this.size : end;
    this.#pos = at + 8;
    const type = this.type;
    if (type === MessageType.HEL) {
      this.#pos = at + 28;
      const status = this.#string();
      if (status !== OK) return status;
      if (this.#stringLength > 0) {
        this.endpointAt = this.#stringAt;
        this.endpointLength = this.#stringLength;
      }
    } else if (type === MessageType.ERR) {
      if (!this.#need(4)) return this.#overrun();
      this.errorCode = view.getUint32(at + 8, true);
    } else if (type === MessageType.OPN) {
      return this.#open();
    } else if (type === MessageType.MSG || type === MessageType.CLO) {
      if (!this.#need(16)) return PARTIAL;
      this.secureChannelId = view.getUint32(at + 8, true);
      this.#pos = at + 24;
      this.#body();
    }
    return OK;
  }

  #need(n: number): boolean {
    return this.limit - this.#pos >= n;
  }

  /** Overrun of a cleartext field: malformed when the whole chunk was there, else partial. */
  #overrun(): string {
    return this.complete ? this.#problem("field past the end of the message", this.#pos, this.size) : PARTIAL;
  }

  #stringAt = 0;
  #stringLength = 0;

  /** Reads a String/ByteString at the cursor into #stringAt/#stringLength (-1 null). */
  #string(): string {
    if (!this.#need(4)) return this.#overrun();
    const length = this.view.getInt32(this.#pos, true);
    if (length < -1) return this.#problem("negative string length", this.#pos, -length);
    this.#pos += 4;
    this.#stringAt = this.#pos;
    this.#stringLength = length;
    if (length > 0) {
      if (!this.#need(length)) return this.#overrun();
      this.#pos += length;
    }
    return OK;
  }

  #open(): string {
    if (!this.#need(4)) return this.#overrun();
    this.secureChannelId = this.view.getUint32(this.#pos, true);
    this.#pos += 4;
    let status = this.#string();
    if (status !== OK) return status;
    if (this.#stringLength > 0) {
      this.policyAt = this.#stringAt;
      this.policyLength = this.#stringLength;
    }
    status = this.#string();
    if (status !== OK) return status;
    this.hasCertificate = this.#stringLength > 0;
    status = this.#string();
    if (status !== OK) return status;
    // Sequence header, then the (possibly encrypted) body.
    if (!this.#need(8)) return PARTIAL;
    this.#pos += 8;
    this.#body();
    return OK;
  }

  /** Reads a NodeId (ExpandedNodeId when `expanded`); returns its ns-0 numeric id, -2 for others, -1 on failure. */
  #nodeId(expanded: boolean): number {
    const bytes = this.bytes;
    const view = this.view;
    if (!this.#need(1)) return -1;
    const mask = bytes[this.#pos];
    if (!expanded && (mask & 0xc0) !== 0) return -1;
    const kind = mask & 0x3f;
    let id = -2;
    this.#pos++;
    if (kind === 0) {
      if (!this.#need(1)) return -1;
      id = bytes[this.#pos++];
    } else if (kind === 1) {
      if (!this.#need(3)) return -1;
      if (bytes[this.#pos] === 0) id = view.getUint16(this.#pos + 1, true);
      this.#pos += 3;
    } else if (kind === 2) {
      if (!this.#need(6)) return -1;
      if (view.getUint16(this.#pos, true) === 0) id = view.getUint32(this.#pos + 2, true);
      this.#pos += 6;
    } else if (kind === 4) {
      if (!this.#need(18)) return -1;
      this.#pos += 18;
    } else if (kind === 3 || kind === 5) {
      if (!this.#need(2)) return -1;
      this.#pos += 2;
      if (this.#string() !== OK) return -1;
    } else {
      return -1;
    }
    if (mask & 0x80 && this.#string() !== OK) return -1;
    if (mask & 0x40) {
      if (!this.#need(4)) return -1;
      this.#pos += 4;
    }
    return id;
  }

  /** Skips `n` bytes; false when they are not there. */
  #skip(n: number): boolean {
    if (!this.#need(n)) return false;
    this.#pos += n;
    return true;
  }

  /** RequestHeader (Part 4 §7.33, Part 6 encoding): false when it does not parse. */
  #requestHeader(): boolean {
    if (this.#nodeId(false) === -1 || !this.#skip(16) || this.#string() !== OK || !this.#skip(4)) {
      return false;
    }
    return this.#extensionObject() !== -1;
  }

  /** ExtensionObject: TypeId, encoding byte, optional body; returns the TypeId's numeric id or -1. */
  #extensionObject(): number {
    const id = this.#nodeId(true);
    if (id === -1 || !this.#need(1)) return -1;
    const encoding = this.bytes[this.#pos++];
    if (encoding === 1 || encoding === 2) {
      if (this.#string() !== OK) return -1;
    } else if (encoding !== 0) {
      return -1;
    }
    return id;
  }

  /** Array of Strings/ByteStrings (`pairs` of them per element); false when it does not parse. */
  #stringArray(pairs: number): boolean {
    if (!this.#need(4)) return false;
    const count = this.view.getInt32(this.#pos, true);
    this.#pos += 4;
    if (count < -1 || count > this.limit - this.#pos) return false;
    for (let i = 0; i < count * pairs; i++) if (this.#string() !== OK) return false;
    return true;
  }

  /** The body: TypeId then what is decoded of known services. */
  #body(): void {
    const id = this.#nodeId(false);
    if (!(id in SERVICES)) return;
    this.serviceId = id;
    if (id === 446) {
      // OpenSecureChannelRequest: RequestHeader, ClientProtocolVersion, RequestType, SecurityMode.
      if (!this.#requestHeader() || !this.#need(12)) return;
      const requestType = this.view.getUint32(this.#pos + 4, true);
      const mode = this.view.getUint32(this.#pos + 8, true);
      if (requestType <= 1 && mode >= 1 && mode <= 3) {
        this.requestType = requestType;
        this.securityMode = mode;
      }
    } else if (id === 467) {
      // ActivateSessionRequest: RequestHeader, ClientSignature (2 strings), ClientSoftwareCertificates
      // (array of 2 ByteStrings), LocaleIds (array of String), UserIdentityToken (ExtensionObject).
      if (!this.#requestHeader() || this.#string() !== OK || this.#string() !== OK) return;
      if (!this.#stringArray(2) || !this.#stringArray(1)) return;
      const token = this.#extensionObject();
      if (token in TokenType) this.tokenType = token;
    } else if (id === 397) {
      // ServiceFault: ResponseHeader (Timestamp, RequestHandle, ServiceResult…).
      if (this.#need(16)) this.serviceResult = this.view.getUint32(this.#pos + 12, true);
    }
  }
}
