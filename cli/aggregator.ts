/**
 * `netsentinel aggregator`: consumes the sensors' batches from Redis and commits them to the
 * database until Ctrl-C / SIGTERM.
 *
 * @module
 */

import { loadConfig } from "../config/load.ts";
import { connectBus, connectDatabase, usesRedis } from "../appliance/connections.ts";
import { startAggregator } from "../appliance/aggregator_service.ts";
import { DATA_DIR_HELP, DATA_DIR_OPTION, placeState, resolveDataDir } from "./data_dir.ts";
import { parseCommandArgs } from "./parse.ts";
import { listenForReload } from "./reload.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `aggregator`. */
export const AGGREGATOR_HELP = `Usage: netsentinel aggregator [--config FILE] [--data-dir DIR]

Takes the observation batches that sensors publish on Redis (REDIS_URL or [bus] redis_url),
commits each in one database transaction (DATABASE_URL / [storage] database_url, else PGlite in
DIR/pglite), and acknowledges it only after the commit: a crash loses nothing and a batch
delivered twice is counted once. Migrates the schema at start and drops partitions older than
[storage] retention_days every day. Several sensors may feed one aggregator; a second aggregator
in the same group takes over what a dead one left. Stops on Ctrl-C or SIGTERM; SIGHUP reads the
configuration again, checks it and names the keys that need a restart.

Options:
  --config FILE     configuration file (default: $NETSENTINEL_CONFIG)
${DATA_DIR_HELP}
  -h, --help        show this help`;

/** Runs `aggregator` and returns the exit status. */
export async function runAggregator(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("aggregator", args, {
    config: { type: "string" },
    ...DATA_DIR_OPTION,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(AGGREGATOR_HELP);
    return 0;
  }
  const configPath = values.config as string | undefined;
  const dataDir = resolveDataDir(values["data-dir"]);
  const config = placeState(await loadConfig(configPath), dataDir);
  if (!usesRedis(config)) {
    throw new UsageError(
      "Cannot run the aggregator alone without Redis: set REDIS_URL or [bus] redis_url (or use netsentinel start)",
    );
  }
  const db = await connectDatabase(config);
  const bus = connectBus(config);
  const aggregator = await startAggregator({
    db,
    bus,
    retentionDays: config.storage.retention_days,
    allowedDhcpServers: config.identify.allowed_dhcp_servers,
    rollup5mDays: config.storage.rollup_5m_days,
    rollup1hDays: config.storage.rollup_1h_days,
  });
  console.error(`netsentinel: aggregator committing to ${db.driver} (${db.location}); Ctrl-C to stop`);
  const stop = () => aggregator.stop();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const stopReloading = listenForReload({
    configPath,
    current: config,
    prepare: (next) => placeState(next, dataDir),
    live: [],
  });
  await aggregator.done;
  stopReloading();
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  await db.close();
  console.error(
    `netsentinel: aggregator stopped: ${aggregator.counts.applied} batches committed, ${aggregator.counts.duplicate} duplicates skipped`,
  );
  return 0;
}
