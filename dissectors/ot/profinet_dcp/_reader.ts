/**
 * Grammar of PROFINET DCP (IEC 61158-6-10, "DCP" — Discovery and basic Configuration Protocol,
 * §4.3): the PROFINET RT frame id, the DCP header and the block list, read into a reused
 * {@linkcode DcpReader} without allocating.
 *
 * ```
 *  0 FrameID (2)        0xFEFC Hello, 0xFEFD Get/Set, 0xFEFE Identify request, 0xFEFF Identify response
 *  2 ServiceID (1)      3 Get, 4 Set, 5 Identify, 6 Hello
 *  3 ServiceType (1)    0 request, 1 response success, 5 response "request not supported"
 *  4 Xid (4)            6 ResponseDelay (requests) or reserved (2)   8 DCPDataLength (2)
 * 10 blocks: Option (1) Suboption (1) DCPBlockLength (2) value, padded to an even length
 * ```
 * A Get request carries bare Option/Suboption pairs (no length). In responses and Hello requests a
 * block value starts with BlockInfo (2), in Set requests with BlockQualifier (2), except the
 * Control/Response block (5/4: option, suboption, block error). Identify request blocks are
 * filters and carry the bare value.
 *
 * @module
 */

export const FrameId = {
  HELLO: 0xfefc,
  GET_SET: 0xfefd,
  IDENTIFY_REQUEST: 0xfefe,
  IDENTIFY_RESPONSE: 0xfeff,
} as const;
export const Service = { GET: 3, SET: 4, IDENTIFY: 5, HELLO: 6 } as const;
export const ServiceType = { REQUEST: 0, SUCCESS: 1, NOT_SUPPORTED: 5 } as const;
export const Option = { IP: 1, DEVICE: 2, DHCP: 3, CONTROL: 5, DEVICE_INITIATIVE: 6, ALL: 255 } as const;

/** Returned by {@linkcode DcpReader} methods when the frame ends early. */
export const TRUNCATED = "truncated";
/** Returned by {@linkcode DcpReader} methods when a value is read. */
export const OK = "";

const HEADER_LENGTH = 10;

/** Cursor over one DCP PDU (reused: one per dissector). */
export class DcpReader {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  serviceId = 0;
  serviceType = 0;
  /** Offset of the first block and one past the last byte of DCPDataLength. */
  dataAt = 0;
  dataEnd = 0;
  /** Next block. */
  cursor = 0;
  /** Bytes before the value of each block (BlockInfo / BlockQualifier), 0 or 2. */
  prefix = 0;
  /** Current block. */
  option = 0;
  suboption = 0;
  /** Offset of the value (after BlockInfo / BlockQualifier) and its length. */
  valueAt = 0;
  valueLength = 0;
  /** BlockInfo or BlockQualifier, or -1. */
  qualifier = -1;
  /** Where a problem was found, and the offending value (-1 if none). */
  problemAt = 0;
  problemValue = -1;

  #problem(text: string, at: number, value: number): string {
    this.problemAt = at;
    this.problemValue = value;
    return text;
  }

  /** Reads the DCP header at `at` (after the FrameID); returns {@linkcode OK}, {@linkcode TRUNCATED} or a problem. */
  header(bytes: Uint8Array, view: DataView, at: number, end: number): string {
    this.bytes = bytes;
    this.view = view;
    if (end - at < HEADER_LENGTH) return this.#problem(TRUNCATED, at, -1);
    const service = bytes[at];
    const type = bytes[at + 1];
    if (service < Service.GET || service > Service.HELLO) {
      return this.#problem("unknown DCP service id", at, service);
    }
    if (type !== ServiceType.REQUEST && type !== ServiceType.SUCCESS && type !== ServiceType.NOT_SUPPORTED) {
      return this.#problem("unknown DCP service type", at + 1, type);
    }
    this.serviceId = service;
    this.serviceType = type;
    const length = view.getUint16(at + 8);
    this.dataAt = at + HEADER_LENGTH;
    this.dataEnd = this.dataAt + length;
    this.cursor = this.dataAt;
    this.prefix = type !== ServiceType.REQUEST || service === Service.HELLO || service === Service.SET
      ? 2
      : 0;
    if (this.dataEnd > end) return this.#problem(TRUNCATED, at + 8, length);
    return OK;
  }

  /** True when the PDU is a Get request (bare Option/Suboption pairs). */
  get pairsOnly(): boolean {
    return this.serviceId === Service.GET && this.serviceType === ServiceType.REQUEST;
  }

  /**
   * Reads the next block into `option`, `suboption`, `valueAt`, `valueLength`, `qualifier`.
   * Returns {@linkcode OK} with `option` set, {@linkcode OK} with `option` -1 at the end, or a problem.
   */
  next(): string {
    const at = this.cursor;
    const left = this.dataEnd - at;
    this.option = -1;
    if (left <= 0) return OK;
    const bytes = this.bytes;
    if (this.pairsOnly) {
      if (left < 2) return this.#problem("DCP data ends inside a block", at, left);
      this.option = bytes[at];
      this.suboption = bytes[at + 1];
      this.valueAt = at + 2;
      this.valueLength = 0;
      this.qualifier = -1;
      this.cursor = at + 2;
      return OK;
    }
    if (left < 4) return this.#problem("DCP data ends inside a block", at, left);
    const option = bytes[at];
    const suboption = bytes[at + 1];
    const length = this.view.getUint16(at + 2);
    if (length > left - 4) return this.#problem("DCP block length past the DCP data", at + 2, length);
    // Control/Response (5/4) has no BlockInfo; neither have Identify filters.
    const prefix = option === Option.CONTROL && suboption === 4 ? 0 : this.prefix;
    if (length < prefix) return this.#problem("DCP block shorter than its BlockInfo", at + 2, length);
    this.option = option;
    this.suboption = suboption;
    this.qualifier = prefix === 2 ? this.view.getUint16(at + 4) : -1;
    this.valueAt = at + 4 + prefix;
    this.valueLength = length - prefix;
    // Blocks are padded to an even length (the padding is counted in DCPDataLength).
    this.cursor = Math.min(this.dataEnd, at + 4 + length + (length & 1));
    return OK;
  }
}
