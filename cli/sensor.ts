/**
 * `netsentinel sensor`: captures (interfaces, or a capture file) and publishes the observation
 * batches to Redis for an aggregator, without a database of its own.
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { connectBus, usesRedis } from "../appliance/connections.ts";
import { sensorId, SensorPublisher } from "../sensor/publisher.ts";
import { analyzeCaptureFile } from "../sensor/offline_analysis.ts";
import { captureOptions, dissectionOptions } from "./capture_options.ts";
import { runLive } from "./live_run.ts";
import { parseCommandArgs } from "./parse.ts";
import { listenForReload } from "./reload.ts";
import { checkInterfaces } from "./check_interfaces.ts";
import { formatCaptureStats } from "./status_text.ts";
import { EXIT_INPUT, positiveNumber, UsageError } from "./usage_error.ts";

/** Help text of `sensor`. */
export const SENSOR_HELP =
  `Usage: netsentinel sensor [--iface IF…] [--file FILE] [--duration S] [--config FILE]

Captures on the interfaces (--iface, repeatable, or [[capture.interfaces]]) or reads FILE, and
publishes every flush of observations to Redis (REDIS_URL or [bus] redis_url) for the
aggregator. While Redis is unreachable it keeps batches in memory up to [bus] sensor_buffer_mb,
then drops the oldest and says so. The sensor id is [sensor] id (default: the host name).
SIGHUP reads the configuration again, checks it and names the keys that need a restart.

Options:
  --iface IF        capture on IF
  --file FILE       publish the observations of a capture file instead
  --duration S      stop capturing after S seconds (default: until Ctrl-C / SIGTERM)
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG)
  -h, --help        show this help`;

/** Runs `sensor` and returns the exit status. */
export async function runSensor(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("sensor", args, {
    iface: { type: "string", multiple: true },
    file: { type: "string" },
    duration: { type: "string" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(SENSOR_HELP);
    return 0;
  }
  const configPath = values.config as string | undefined;
  const config = await loadConfig(configPath);
  if (!usesRedis(config)) {
    throw new UsageError(
      "Cannot run a sensor alone without Redis: set REDIS_URL or [bus] redis_url (or use netsentinel start)",
    );
  }
  const interfaces = ((values.iface ?? []) as string[]).flatMap((value) => value.split(",")).filter(Boolean);
  const bus = connectBus(config);
  const publisher = new SensorPublisher(bus, sensorId(config.sensor.id));
  let status = 0;
  try {
    if (values.file) {
      const analysis = await analyzeCaptureFile(values.file as string, {
        ...dissectionOptions(config),
        onFlush: (record) => publisher.publish(record),
        flushIntervalMs: config.aggregator.flush_interval_s * 1000,
      });
      if (analysis.error) {
        console.error(`netsentinel: ${analysis.error.message} (what came before it was published)`);
        status = EXIT_INPUT;
      }
    } else {
      const live = captureOptions(config, { interfaces });
      if (live.length === 0) {
        throw new UsageError("Cannot run the sensor: no interface (--iface) and no --file");
      }
      const duration = values.duration === undefined
        ? undefined
        : positiveNumber("duration", values.duration as string);
      checkInterfaces(live.map((l) => l.iface));
      const stopReloading = listenForReload({ configPath, current: config, live: [] });
      try {
        const run = await runLive(config, live, {
          durationSeconds: duration,
          onFlush: (record) => publisher.publish(record),
          onRunning: () =>
            console.error(
              `netsentinel: sensor capturing on ${
                live.map((l) => l.iface).join(", ")
              }, publishing to Redis; ` +
                "Ctrl-C or SIGTERM to stop",
            ),
        });
        console.error(formatCaptureStats(run.stats));
      } finally {
        stopReloading();
      }
    }
    await publisher.drain();
  } finally {
    await bus.stop();
  }
  const stats = bus.stats();
  console.error(
    `netsentinel: sensor published ${publisher.published} batches` +
      (stats.dropped.buffer_full ? `; ${stats.dropped.buffer_full} dropped while Redis was unreachable` : ""),
  );
  return status;
}
