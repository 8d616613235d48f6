/**
 * The live part of `netsentinel start`: checks the interfaces before anything else is opened,
 * captures into the database, keeps the status file current, reloads the configuration on
 * SIGHUP, and prints the inventory at the end.
 *
 * @module
 */

import { withPersistence } from "../appliance/all_in_one.ts";
import type { StorageStatus } from "../appliance/commit_watch.ts";
import type { Inventory } from "../aggregator/inventory.ts";
import type { LiveCaptureOptions } from "../capture/live/protocol.ts";
import type { LiveSensor } from "../sensor/live_sensor.ts";
import type { Config } from "../config/schema.ts";
import { checkInterfaces } from "./check_interfaces.ts";
import { placeState } from "./data_dir.ts";
import { runLive } from "./live_run.ts";
import { printInventory } from "./output.ts";
import { listenForReload } from "./reload.ts";
import { statusDocument, writeStatusFile } from "./status_file.ts";
import { formatCaptureStats } from "./status_text.ts";
import { reportUnstored } from "./unstored.ts";

/** What {@linkcode startLive} runs. */
export interface StartLiveOptions {
  config: Config;
  /** The `--config` file, read again on SIGHUP. */
  configPath?: string;
  dataDir: string;
  live: LiveCaptureOptions[];
  json: boolean;
}

/** Keys a running `start` applies on SIGHUP without a restart. */
const LIVE_KEYS = ["status.interval_s", "identify.allowed_dhcp_servers"] as const;

/** Periodic writes of the status file while the capture runs. */
class StatusWriter {
  readonly #config: Config;
  readonly #startedAt = new Date();
  #timer: ReturnType<typeof setInterval> | undefined;
  #write: (() => void) | undefined;

  constructor(config: Config) {
    this.#config = config;
  }

  /** Starts writing the status of `sensor` every `[status] interval_s`. */
  start(sensor: LiveSensor, inventory: Inventory, storage: () => StorageStatus): void {
    const path = this.#config.status.file;
    if (!path) return;
    this.#write = () =>
      writeStatusFile(
        path,
        statusDocument(this.#startedAt, "live", sensor.stats, inventory, {
          intervalS: this.#config.status.interval_s,
          storage: storage(),
          unflushedFlows: sensor.unflushedFlows,
        }),
      ).catch((error) =>
        console.error(`netsentinel: Cannot write the status file ${path}: ${error.message}`)
      );
    this.#write();
    this.restart();
  }

  /** Applies a new `[status] interval_s`. */
  restart(): void {
    clearInterval(this.#timer);
    if (this.#write) this.#timer = setInterval(this.#write, this.#config.status.interval_s * 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The status document of the ended run. */
  async final(stats: LiveSensor["stats"], inventory: Inventory, storage: StorageStatus): Promise<void> {
    const path = this.#config.status.file;
    if (!path) return;
    const extra = { intervalS: this.#config.status.interval_s, storage };
    await writeStatusFile(path, statusDocument(this.#startedAt, "stopped", stats, inventory, extra));
  }
}

/** Captures until Ctrl-C / SIGTERM and returns the exit status. */
export async function startLive(options: StartLiveOptions): Promise<number> {
  const { config, live } = options;
  checkInterfaces(live.map((l) => l.iface));
  const status = new StatusWriter(config);
  const stopReloading = listenForReload({
    configPath: options.configPath,
    current: config,
    prepare: (next) => placeState(next, options.dataDir),
    live: LIVE_KEYS,
    apply: (changed) => {
      if (changed.includes("status.interval_s")) status.restart();
    },
  });
  try {
    const persisted = await withPersistence(config, (publish, persistence) =>
      runLive(config, live, {
        onFlush: publish,
        stop: persistence.signal,
        onRunning: (sensor, inventory) => {
          console.error(
            `netsentinel: capturing on ${
              live.map((l) => l.iface).join(", ")
            } (${config.capture.mode} mode); ` +
              "Ctrl-C or SIGTERM to stop, SIGHUP to reload the configuration" +
              (config.status.file ? `; status in ${config.status.file} (netsentinel status)` : ""),
          );
          status.start(sensor, inventory, persistence.storageStatus);
        },
      }));
    const run = persisted.result;
    status.stop();
    console.error(`netsentinel: ${persisted.committed.applied} batches committed to ${persisted.location}`);
    await status.final(run.stats, run.inventory, persisted.storage);
    const printed = await printInventory(
      run.inventory,
      { interfaces: run.stats.map((s) => s.iface), capture: run.stats },
      { json: options.json, allowedDhcpServers: config.identify.allowed_dhcp_servers },
    );
    console.error(formatCaptureStats(run.stats));
    return reportUnstored(persisted) ?? printed.exitStatus;
  } finally {
    status.stop();
    stopReloading();
  }
}
