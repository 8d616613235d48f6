/**
 * The configuration: what can be set, its defaults and limits, checked with zod so a bad value
 * gets a precise message (the key, the value, what is allowed).
 *
 * @module
 */

import { isIPv4 } from "node:net";
import { z } from "zod";
import { BusConfigSchema } from "./bus_schema.ts";
import { ExportConfigSchema } from "./export_schema.ts";
import { WebConfigSchema } from "./web_schema.ts";

const portList = z.array(z.number().int().min(0).max(65535));

/** One capture interface and its per-interface overrides. */
export const InterfaceSchema = z.object({
  name: z.string().min(1).max(15).regex(/^[A-Za-z0-9_.:@-]+$/, "must be an interface name such as eth0"),
  promiscuous: z.boolean().optional(),
  filter: z.string().optional(),
  snaplen: z.number().int().min(64).max(262144).optional(),
}).strict();

/** The whole configuration file. */
export const ConfigSchema = z.object({
  capture: z.object({
    /** `mirror`: SPAN/TAP port(s); `bypass`: a transparent bridge (capture on the bridge's ports). */
    mode: z.enum(["mirror", "bypass"]).default("mirror"),
    interfaces: z.array(InterfaceSchema).default([]),
    snaplen: z.number().int().min(64).max(262144).default(262144),
    promiscuous: z.boolean().default(true),
    /** Kernel ring buffer per interface, MiB. */
    buffer_size_mb: z.number().int().min(1).max(4096).default(32),
    /** BPF filter applied to every interface (an interface's own filter replaces it). */
    filter: z.string().default(""),
    batch_packets: z.number().int().min(1).max(8192).default(1024),
    batch_latency_ms: z.number().int().min(1).max(1000).default(10),
    /** libpcap read timeout, ms: the longest a stop request waits. */
    timeout_ms: z.number().int().min(1).max(1000).default(50),
  }).strict().default({}),
  dissectors: z.object({
    workers: z.number().int().min(1).max(64).default(1),
    /** Folder of drop-in plugins (`*.ts`); empty for none. */
    plugins_dir: z.string().default(""),
    disabled: z.array(z.string()).default([]),
    /** Throws after which a dissector is disabled. */
    max_errors: z.number().int().min(1).default(100),
    /** Seconds a drop-in plugin may take on one frame (or to load) before it is stopped and disabled. */
    watchdog_s: z.number().min(0.1).max(600).default(5),
    /** V8 heap limit of the drop-in plugins' worker, MiB. */
    plugin_memory_mb: z.number().int().min(32).max(16384).default(256),
    /** Port changes per dissector, e.g. `modbus = { "tcp.port" = [502, 5020] }`. */
    ports: z.record(
      z.string(),
      z.object({ "tcp.port": portList.optional(), "udp.port": portList.optional() }).strict(),
    ).default({}),
    /** Packet ring per worker, MiB. */
    ring_size_mb: z.number().int().min(1).max(4096).default(64),
    /**
     * Flows a dissector worker holds between two flushes. When its table reaches this many, it
     * flushes early (every flow accounted, none lost): memory stays flat under a flood or a scan.
     * About 250 bytes per flow: the default holds 1 000 000 flows in ≈ 250 MiB per worker.
     */
    max_flows: z.number().int().min(1000).max(50_000_000).default(1_000_000),
  }).strict().default({}),
  aggregator: z.object({
    /** Seconds between two flushes of the sensors into the aggregator (the spec's 60 s). */
    flush_interval_s: z.number().min(0.01).max(3600).default(60),
  }).strict().default({}),
  identify: z.object({
    /**
     * DHCP servers allowed on the network (IPv4 addresses). Any other server that answers is
     * reported as rogue; when empty, more than one server answering on a subnet is.
     */
    allowed_dhcp_servers: z.array(
      z.string().refine((text) => isIPv4(text), "must be an IPv4 address such as 10.0.0.1"),
    ).default([]),
  }).strict().default({}),
  sensor: z.object({
    /** Stable id of this sensor (site/box), carried by every batch it sends; "" for the host name. */
    id: z.string().max(128).default(""),
  }).strict().default({}),
  bus: BusConfigSchema,
  web: WebConfigSchema,
  export: ExportConfigSchema,
  storage: z.object({
    /** PostgreSQL URL; "" for the embedded PGlite database. `DATABASE_URL` overrides it. */
    database_url: z.string().default(""),
    /** PGlite data folder. */
    data_dir: z.string().min(1).default("data/pglite"),
    /** Days of time series kept (whole daily partitions are dropped). */
    retention_days: z.number().int().min(1).max(3650).default(30),
    /** Days of 5-minute roll-ups kept (long-range charts). */
    rollup_5m_days: z.number().int().min(1).max(3650).default(90),
    /** Days of hourly roll-ups kept. */
    rollup_1h_days: z.number().int().min(1).max(3650).default(365),
    /** Hours between two automatic snapshots of the inventory and its paths (0: only on demand). */
    snapshot_interval_hours: z.number().int().min(0).max(8760).default(24),
    /**
     * While commits fail (full disk, database down), `start` keeps capturing and holds the batches
     * in memory for at most this many seconds, then stops with a clear line and status 1.
     */
    hold_max_s: z.number().min(1).max(7 * 86400).default(3600),
    /** ...and while they take at most this much memory, MiB (0: stop at the first failed commit). */
    hold_max_mb: z.number().min(0).max(65536).default(256),
  }).strict().default({}),
  status: z.object({
    /** Where a running appliance writes its status for `netsentinel status` ("" to disable). */
    file: z.string().default("data/status.json"),
    interval_s: z.number().min(0.5).max(3600).default(5),
  }).strict().default({}),
}).strict();

/** A validated configuration with every default filled in. */
export type Config = z.infer<typeof ConfigSchema>;
