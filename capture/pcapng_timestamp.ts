/**
 * Exact conversion of pcapng 64-bit time stamps into whole seconds and nanoseconds.
 *
 * @module
 */

import type { PacketBatch } from "./batch.ts";

const TWO_32 = 4294967296;

/**
 * Converts the 64-bit time stamps of one pcapng interface (`if_tsresol`, `if_tsoffset`) into whole
 * seconds and nanoseconds, exactly and without BigInt, although nanosecond stamps exceed 2^53.
 *
 * Sub-nanosecond digits are truncated (as Wireshark does). Supported resolutions: 10^0 to 10^-19 and
 * 2^0 to 2^-63 seconds (a finer unit cannot even count one second in 64 bits).
 *
 * @example Usage
 * ```ts
 * import { TimestampScale } from "./pcapng_timestamp.ts";
 * import { PacketBatch } from "./batch.ts";
 * import assert from "node:assert/strict";
 *
 * const batch = new PacketBatch(1);
 * const stamp = new DataView(new ArrayBuffer(8));
 * stamp.setUint32(0, 0x17cb686c, true); // 1714578900123456533 ns = 0x17cb686c_e93d1415
 * stamp.setUint32(4, 0xe93d1415, true);
 * new TimestampScale(9).write(batch, 0, stamp, 0, true); // if_tsresol 9: nanoseconds
 * assert.deepEqual([batch.tsSec[0], batch.tsNsec[0]], [1714578900, 123456533]);
 * ```
 */
export class TimestampScale {
  /**
   * Checks an `if_tsresol` value.
   *
   * @param tsresol the option byte: 10^-n, or 2^-n when the top bit is set
   * @returns "" when supported, otherwise the problem
   */
  static check(tsresol: number): string {
    const exp = tsresol & 0x7f;
    const pow2 = (tsresol & 0x80) !== 0;
    return exp > (pow2 ? 63 : 19) ? `if_tsresol ${pow2 ? 2 : 10}^-${exp}, finer than supported` : "";
  }

  // Mode 0: at most 2^30 units per second. A stamp is h1·2^48 + h0·2^32 + lo with 16-bit h1, h0; with
  // 2^48 = q48·U + m48 and 2^32 = q32·U + m32, the seconds are h1·q48 + h0·q32 + ⌊t / U⌋ where
  // t = h1·m48 + h0·m32 + lo < 2^48, so every step is an exact double operation.
  // Mode 1 (10^-10 … 10^-19): long division by 16-bit limbs, to nanoseconds then to seconds.
  // Mode 2 (2^-31 … 2^-63): shifts, the fraction scaled by 10^9 = 1953125·2^9 in two exact halves.
  readonly #mode: number;
  readonly #exp: number;
  readonly #units: number;
  readonly #offset: number;
  readonly #q48: number = 0;
  readonly #m48: number = 0;
  readonly #q32: number = 0;
  readonly #m32: number = 0;
  readonly #nsFactor: number = 0;
  #qhi = 0;
  #qlo = 0;

  /**
   * @param tsresol the `if_tsresol` byte (default 6: microseconds); must pass {@linkcode TimestampScale.check}
   * @param offsetSec the `if_tsoffset` seconds added to every stamp
   */
  constructor(tsresol = 6, offsetSec = 0) {
    const exp = tsresol & 0x7f;
    const pow2 = (tsresol & 0x80) !== 0;
    this.#exp = exp;
    this.#offset = offsetSec;
    this.#units = pow2 ? 2 ** exp : Number(`1e${exp}`);
    if (this.#units <= 2 ** 30) {
      this.#mode = 0;
      [this.#q48, this.#m48] = quotientAndRemainder(2 ** 48, this.#units);
      [this.#q32, this.#m32] = quotientAndRemainder(TWO_32, this.#units);
      this.#nsFactor = pow2 ? 1953125 * 2 ** (9 - exp) : Number(`1e${9 - exp}`);
    } else {
      this.#mode = pow2 ? 2 : 1;
      if (!pow2) this.#units = Number(`1e${exp - 9}`);
    }
  }

  /**
   * Writes the stamp `hi·2^32 + lo` (in interface units) as entry `n` of `batch`.
   *
   * The stamp is read here rather than passed in: 32-bit values above 2^30 would be boxed as heap
   * numbers at every call.
   *
   * @param batch the batch receiving `tsSec[n]` and `tsNsec[n]`
   * @param n the entry
   * @param view where the stamp is: `hi` at `offset`, `lo` at `offset + 4` (pcapng order)
   * @param offset where the stamp starts
   * @param littleEndian byte order of the two words
   */
  write(batch: PacketBatch, n: number, view: DataView, offset: number, littleEndian: boolean): void {
    const hi = view.getUint32(offset, littleEndian);
    const lo = view.getUint32(offset + 4, littleEndian);
    let sec: number;
    let nsec: number;
    if (this.#mode === 0) {
      const h1 = hi >>> 16;
      const h0 = hi & 0xffff;
      const t = h1 * this.#m48 + h0 * this.#m32 + lo;
      const q = Math.floor(t / this.#units);
      sec = h1 * this.#q48 + h0 * this.#q32 + q;
      nsec = Math.floor((t - q * this.#units) * this.#nsFactor);
    } else if (this.#mode === 1) {
      this.#divide(hi, lo, this.#units);
      nsec = this.#divide(this.#qhi, this.#qlo, 1e9);
      sec = this.#qhi * TWO_32 + this.#qlo;
    } else {
      const exp = this.#exp;
      const p = 2 ** (exp - 32);
      sec = exp === 31 ? hi * 2 + (lo >>> 31) : Math.floor(hi / p);
      const rh = exp === 31 ? 0 : hi - sec * p;
      const low = (exp === 31 ? lo & 0x7fffffff : lo) * 1953125;
      const lh = Math.floor(low / TWO_32);
      const a = rh * 1953125 + lh;
      const s = exp - 9;
      nsec = s >= 32
        ? Math.floor(a / 2 ** (s - 32))
        : a * 2 ** (32 - s) + Math.floor((low - lh * TWO_32) / 2 ** s);
    }
    batch.tsSec[n] = sec + this.#offset;
    batch.tsNsec[n] = nsec;
  }

  /** Divides `hi·2^32 + lo` by `d` < 2^37 into `#qhi`, `#qlo`; returns the remainder. */
  #divide(hi: number, lo: number, d: number): number {
    let c = hi >>> 16;
    const q3 = Math.floor(c / d);
    c = (c - q3 * d) * 65536 + (hi & 0xffff);
    const q2 = Math.floor(c / d);
    c = (c - q2 * d) * 65536 + (lo >>> 16);
    const q1 = Math.floor(c / d);
    c = (c - q1 * d) * 65536 + (lo & 0xffff);
    const q0 = Math.floor(c / d);
    this.#qhi = q3 * 65536 + q2;
    this.#qlo = q1 * 65536 + q0;
    return c - q0 * d;
  }
}

function quotientAndRemainder(value: number, divisor: number): [number, number] {
  let q = Math.floor(value / divisor);
  let r = value - q * divisor;
  if (r < 0) [q, r] = [q - 1, r + divisor];
  if (r >= divisor) [q, r] = [q + 1, r - divisor];
  return [q, r];
}
