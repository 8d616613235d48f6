/**
 * The running appliance of `netsentinel start`: one process with the capture (live interfaces,
 * capture files, or the demo), the dissectors, the aggregator, the database and the web server,
 * until SIGINT or SIGTERM. Then the sources stop, what they heard is committed, the web server
 * and the database close, and the status file says `stopped`.
 *
 * @module
 */

import { basename, join } from "node:path";
import { withPersistence } from "../appliance/all_in_one.ts";
import type { StorageStatus } from "../appliance/commit_watch.ts";
import { ApplianceActivity } from "../appliance/activity.ts";
import { CaptureImports } from "../appliance/capture_imports.ts";
import { usesRedis } from "../appliance/connections.ts";
import type { Inventory } from "../aggregator/inventory.ts";
import type { LiveCaptureOptions } from "../capture/live/protocol.ts";
import type { Config } from "../config/schema.ts";
import type { FlushRecord } from "../model/flush_record.ts";
import type { LiveSensor } from "../sensor/live_sensor.ts";
import { replayDemo } from "../sensor/demo_replay.ts";
import { scheduleExport } from "../export/schedule.ts";
import { redactedConfig } from "../config/redact.ts";
import { scheduleSnapshots } from "../storage/read/snapshots_schedule.ts";
import { startWebServer, type WebServer, WebServerError } from "../web/server.ts";
import { checkInterfaces } from "./check_interfaces.ts";
import { dissectionOptions } from "./capture_options.ts";
import { placeState } from "./data_dir.ts";
import { type LiveRun, runLive } from "./live_run.ts";
import { printInventory } from "./output.ts";
import { listenForReload } from "./reload.ts";
import { StatusWriter } from "./start_status.ts";
import { statusDocumentOf } from "./status_file.ts";
import { formatCaptureStats } from "./status_text.ts";
import { reportUnstored } from "./unstored.ts";
import { EXIT_INPUT } from "./usage_error.ts";

/** What {@linkcode runAppliance} runs. */
export interface ApplianceOptions {
  config: Config;
  /** The `--config` file, read again on SIGHUP. */
  configPath?: string;
  dataDir: string;
  /** Live interfaces (`live`), capture files (`files`), or the sample to replay (`demo`). */
  source:
    | { mode: "live"; live: LiveCaptureOptions[] }
    | { mode: "files"; files: string[] }
    | { mode: "demo"; path: string };
  /** `--listen`, `--insecure-http`. */
  listen?: string;
  insecureHttp?: boolean;
  /** Print the inventory of the live capture as JSON at the end. */
  json: boolean;
  /** Replaces the environment's DATABASE_URL / REDIS_URL (the demo passes `{}`). */
  env?: Record<string, string>;
  /** Prefix of the appliance's own lines (`DEMO: `). */
  label: string;
}

/** Keys a running `start` applies on SIGHUP without a restart. */
const LIVE_KEYS = ["status.interval_s", "identify.allowed_dhcp_servers"] as const;

/** The demo's flush interval at most, s: its dashboard moves within seconds. */
const DEMO_FLUSH_MAX_S = 5;

function log(line: string): void {
  console.error(`netsentinel: ${line}`);
}

/** Resolves on the first SIGINT or SIGTERM, or when one of `also` is aborted. */
function stopRequested(also: AbortSignal[]): { promise: Promise<void>; dispose: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => resolve = r);
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const handler = () => resolve();
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  for (const signal of also) {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", handler, { once: true });
  }
  return {
    promise,
    dispose: () => {
      for (const signal of signals) Deno.removeSignalListener(signal, handler);
      for (const signal of also) signal.removeEventListener("abort", handler);
    },
  };
}

/** Runs the appliance until a signal; returns the exit status. */
export async function runAppliance(options: ApplianceOptions): Promise<number> {
  const { config, source, label } = options;
  if (source.mode === "live") checkInterfaces(source.live.map((l) => l.iface));
  let sensor: LiveSensor | undefined;
  let activity: ApplianceActivity | undefined;
  /** Flows stored (demo, files), refreshed every status interval; live: the capture's inventory. */
  let flows = 0;
  let liveInventory: Inventory | undefined;
  let storage: () => StorageStatus | undefined = () => undefined;
  const status = new StatusWriter(config, () => {
    const a = activity!;
    return statusDocumentOf(
      a.startedAt,
      a.mode,
      sensor?.stats ?? [],
      a.workers,
      source.mode === "live" ? liveInventory?.flows.size ?? 0 : flows,
      {
        intervalS: config.status.interval_s,
        storage: storage(),
        unflushedFlows: sensor?.unflushedFlows,
        appliance: a.status(),
      },
    );
  });
  const stopReloading = listenForReload({
    configPath: options.configPath,
    current: config,
    prepare: (next) => placeState(next, options.dataDir),
    live: LIVE_KEYS,
    apply: (changed) => {
      if (changed.includes("status.interval_s")) status.restart();
    },
  });
  let server: WebServer | undefined;
  /** A source failed (the demo could not be replayed): the exit status says so. */
  let failed = false;
  try {
    const persisted = await withPersistence(config, async (publish, run) => {
      storage = run.storageStatus;
      const shutdown = new AbortController();
      const stop = stopRequested([run.signal, shutdown.signal]);
      const imports: { current?: CaptureImports } = {};
      const current = new ApplianceActivity({
        mode: source.mode,
        interfaces: () => sensor?.stats ?? [],
        uploads: () => imports.current?.list() ?? [],
      });
      activity = current;
      const relay = (name: string) => (record: FlushRecord, worker: number) => {
        current.flushed(name, worker, record);
        publish(record);
      };
      const dissection = dissectionOptions(config);
      imports.current = new CaptureImports({
        db: run.db,
        // The demo's uploads go with the demo database, never into the real list.
        uploadDir: join(options.dataDir, ...(source.mode === "demo" ? ["demo", "uploads"] : ["uploads"])),
        publish: (record) => publish(record),
        whenCommitted: run.whenCommitted,
        activity: current,
        dissection,
        log,
      });
      // The daily export ([export] enabled, schedule); never from the demo's database.
      const exportSchedule = source.mode === "demo"
        ? null
        : scheduleExport({ db: run.db, config: config.export, dataDir: options.dataDir, log });
      // The automatic snapshots of the inventory and its paths ([storage] snapshot_interval_hours): the
      // first check waits a quarter of an hour, so a fresh start does not snapshot an empty inventory.
      const snapshots = config.storage.snapshot_interval_hours > 0
        ? scheduleSnapshots(run.db, {
          intervalHours: config.storage.snapshot_interval_hours,
          firstAfterMs: 15 * 60_000,
          onSnapshot: (s) => log(`${label}snapshot ${s.id}: ${s.devices} devices, ${s.paths} paths`),
          onError: (error) => log(`Cannot take the snapshot: ${(error as Error).message.split("\n")[0]}`),
        })
        : null;
      const bus = usesRedis(config) && options.env === undefined ? "redis" : "in-process";
      let refreshFlows: ReturnType<typeof setInterval> | undefined;
      try {
        await imports.current.load();
        server = await startWebServer({
          config: config.web,
          db: run.db,
          allowedDhcpServers: config.identify.allowed_dhcp_servers,
          runningConfig: () => redactedConfig(config),
          listen: options.listen,
          insecureHttp: options.insecureHttp,
          captures: imports.current,
          captureStatus: () => current.status(),
          health: () => ({
            capture: {
              status: "ok",
              mode: source.mode,
              demo: source.mode === "demo",
              interfaces: source.mode === "live" ? source.live.map((l) => l.iface) : [],
            },
            bus: { status: "ok", kind: bus },
          }),
        });
        log(`${label}web UI at ${server.url} (API at ${server.url}/api/v1); Ctrl-C or SIGTERM to stop`);
        current.start();
        if (source.mode !== "live") {
          refreshFlows = setInterval(async () => {
            try {
              flows =
                (await run.db.query<{ n: number }>("SELECT count(*)::float8 AS n FROM traffic_flows"))[0].n;
            } catch {
              // The database says so in /health; the status keeps the last count.
            }
          }, config.status.interval_s * 1000);
        }
        let liveRun: Promise<LiveRun> | undefined;
        let demo: Promise<unknown> | undefined;
        if (source.mode === "demo") {
          demo = replayDemo({
            path: source.path,
            signal: shutdown.signal,
            flushIntervalMs: Math.min(config.aggregator.flush_interval_s, DEMO_FLUSH_MAX_S) * 1000,
            onFlush: relay("demo"),
            onBatch: (packets, bytes) => current.counted(packets, bytes),
            onRunning: (frames, seconds) =>
              log(`${label}replaying the sample plant capture (${frames} frames, ${seconds} s, looping)`),
            ...dissection,
            ringBytes: 8 * 1024 * 1024,
          }).catch((error) => {
            log(`${label}Cannot replay the demo: ${(error as Error).message.split("\n")[0]}`);
            failed = true;
            shutdown.abort();
          });
        } else if (source.mode === "files") {
          for (const file of source.files) {
            const { size } = await Deno.stat(file);
            imports.current.add({
              path: file,
              name: basename(file),
              size_bytes: size,
              uploaded_by: "command line",
            });
          }
          imports.current.idle().then(() => {
            if (!shutdown.signal.aborted) {
              log(
                `imported ${source.files.length} capture file${
                  source.files.length === 1 ? "" : "s"
                }; serving`,
              );
            }
          });
        } else {
          liveRun = runLive(config, source.live, {
            onFlush: relay("live"),
            stop: shutdown.signal,
            onRunning: (running, inventory) => {
              sensor = running;
              liveInventory = inventory;
              log(
                `capturing on ${source.live.map((l) => l.iface).join(", ")} (${config.capture.mode} mode); ` +
                  "Ctrl-C or SIGTERM to stop, SIGHUP to reload the configuration" +
                  (config.status.file ? `; status in ${config.status.file} (netsentinel status)` : ""),
              );
              // The status says "live" once the capture runs, not before.
              status.start();
            },
          });
          liveRun.catch(() => shutdown.abort());
        }
        if (source.mode !== "live") status.start();
        await stop.promise;
        stop.dispose();
        shutdown.abort();
        await demo;
        await imports.current.stop();
        const live = liveRun ? await liveRun : undefined;
        await status.stop();
        return live;
      } finally {
        exportSchedule?.stop();
        snapshots?.stop();
        clearInterval(refreshFlows);
        stop.dispose();
        shutdown.abort();
        current.stop();
        await server?.shutdown();
        server = undefined;
      }
    }, { env: options.env });
    log(`${label}${persisted.committed.applied} batches committed to ${persisted.location}`);
    const a = activity!;
    const live = persisted.result;
    const finalFlows = live?.inventory.flows.size ?? flows;
    await status.final(statusDocumentOf(a.startedAt, "stopped", live?.stats ?? [], a.workers, finalFlows, {
      intervalS: config.status.interval_s,
      storage: persisted.storage,
      appliance: a.status(),
    }));
    let exitStatus = 0;
    if (live) {
      const printed = await printInventory(
        live.inventory,
        { interfaces: live.stats.map((s) => s.iface), capture: live.stats },
        { json: options.json, allowedDhcpServers: config.identify.allowed_dhcp_servers },
      );
      console.error(formatCaptureStats(live.stats));
      exitStatus = printed.exitStatus;
    }
    return reportUnstored(persisted) ?? (failed ? EXIT_INPUT : exitStatus);
  } catch (error) {
    if (!(error instanceof WebServerError)) throw error;
    log(error.message);
    return EXIT_INPUT;
  } finally {
    await status.stop();
    stopReloading();
  }
}
