/**
 * An append-only log of closed one-minute buckets, stored as rows of numbers in one growable
 * Float64Array (no object per bucket).
 *
 * @module
 */
import { BUCKET_STRIDE } from "../../model/flush_record.ts";

/** Growable table of bucket rows. */
export class BucketLog {
  /** Rows, {@linkcode BUCKET_STRIDE} numbers each; only the first `size` rows are valid. */
  rows: Float64Array = new Float64Array(BUCKET_STRIDE * 1024);
  /** Number of rows. */
  size = 0;

  /** Appends one row. */
  append(
    flow: number,
    minute: number,
    packets: number,
    bytes: number,
    minSize: number,
    maxSize: number,
    syn: number,
    rst: number,
    fin: number,
  ): void {
    let at = this.size * BUCKET_STRIDE;
    if (at + BUCKET_STRIDE > this.rows.length) {
      const rows = new Float64Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    const rows = this.rows;
    rows[at++] = flow;
    rows[at++] = minute;
    rows[at++] = packets;
    rows[at++] = bytes;
    rows[at++] = minSize;
    rows[at++] = maxSize;
    rows[at++] = syn;
    rows[at++] = rst;
    rows[at] = fin;
    this.size++;
  }

  /** A copy of the valid rows, to hand over (e.g. transfer to another worker). */
  snapshot(): Float64Array {
    return this.rows.slice(0, this.size * BUCKET_STRIDE);
  }

  /** Forgets every row. */
  clear(): void {
    this.size = 0;
  }
}
