/**
 * A progress bar on stderr for long analyses: appears only after the first second, redraws at
 * most ten times a second, and erases itself at the end.
 *
 * @module
 */

const encoder = new TextEncoder();
const WIDTH = 30;

/** Progress bar writer. */
export class ProgressBar {
  readonly #started = performance.now();
  #lastDraw = 0;
  #drawn = false;
  readonly #enabled: boolean;

  /** @param enabled draw at all (e.g. stderr is a terminal, or `--progress` was given) */
  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Reports `done` of `total` bytes. */
  update(done: number, total: number): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#started < 1000 || now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * WIDTH);
    const rate = done / 1e6 / ((now - this.#started) / 1000);
    const line =
      `\r[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` +
      `${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB ${rate.toFixed(0)} MB/s`;
    Deno.stderr.writeSync(encoder.encode(line));
    this.#drawn = true;
  }

  /** Erases the bar. */
  done(): void {
    if (this.#drawn) Deno.stderr.writeSync(encoder.encode(`\r${" ".repeat(WIDTH + 40)}\r`));
  }
}
