/**
 * The status file of a running `start`: rewritten every `[status] interval_s` (read by
 * `netsentinel status`, and by `netsentinel web` in another process for `/capture/status`), and
 * once more, in mode `stopped`, when the appliance ends.
 *
 * @module
 */

import type { Config } from "../config/schema.ts";
import { type StatusDocument, writeStatusFile } from "./status_file.ts";

/** Periodic writes of the status file while the appliance runs. */
export class StatusWriter {
  readonly #config: Config;
  readonly #document: () => StatusDocument;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing: Promise<void> = Promise.resolve();
  #started = false;

  /**
   * @param config `[status] file` and `interval_s` (read at each restart: SIGHUP may change them)
   * @param document the current status
   */
  constructor(config: Config, document: () => StatusDocument) {
    this.#config = config;
    this.#document = document;
  }

  #write(): void {
    const path = this.#config.status.file;
    if (!path) return;
    this.#writing = this.#writing.then(async () => {
      try {
        await writeStatusFile(path, this.#document());
      } catch (error) {
        console.error(`netsentinel: Cannot write the status file ${path}: ${(error as Error).message}`);
      }
    });
  }

  /** Writes now, then every `[status] interval_s`. */
  start(): void {
    this.#started = true;
    this.#write();
    this.restart();
  }

  /** Applies a new `[status] interval_s`. */
  restart(): void {
    clearInterval(this.#timer);
    if (this.#started && this.#config.status.file) {
      this.#timer = setInterval(() => this.#write(), this.#config.status.interval_s * 1000);
    }
  }

  /** Stops the periodic writes (and waits for one under way). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#started = false;
    await this.#writing;
  }

  /** Writes the status document of the ended run. */
  async final(document: StatusDocument): Promise<void> {
    await this.stop();
    const path = this.#config.status.file;
    if (path) await writeStatusFile(path, document);
  }
}
