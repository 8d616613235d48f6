/**
 * Notices batches that never arrive: each sensor numbers its batches 0, 1, 2… per boot, so a
 * jump in `seq` means batches were lost on the way (dropped from a sensor's full buffer, or
 * trimmed from the stream by `MAXLEN` before the aggregator read them).
 *
 * @module
 */

/** Tracks the highest `seq` seen per (sensor, boot) and reports forward jumps. */
export class SequenceWatch {
  readonly #highest = new Map<string, number>();

  /**
   * Records one batch.
   *
   * @returns the range of sequence numbers skipped just before it, or null when none was (the
   * first batch seen of a boot, a batch in order, and a late or repeated one skip nothing)
   */
  see(sensor: string, boot: string, seq: number): { from: number; to: number } | null {
    const key = `${sensor}\u0000${boot}`;
    const highest = this.#highest.get(key);
    if (highest !== undefined && seq <= highest) return null;
    this.#highest.set(key, seq);
    if (highest === undefined || seq === highest + 1) return null;
    return { from: highest + 1, to: seq - 1 };
  }
}
