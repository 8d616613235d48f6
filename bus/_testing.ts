/**
 * Test helpers for the bus: synthetic flush records, unique Redis names, a throw-away
 * redis-server, a log collector.
 *
 * @module
 */

import { createClient } from "redis";
import type { FlushRecord } from "../model/flush_record.ts";
import { newEngineStats } from "../model/engine_stats.ts";
import { FLOW_KEY_WORDS } from "../model/flow_key.ts";
import { BUCKET_STRIDE } from "../model/flush_record.ts";
import { SIGHTING_KEY_WORDS } from "../model/flush_record.ts";
import type { SensorBatch } from "../model/sensor_batch.ts";

/** The machine's Redis (`REDIS_URL`, default `redis://127.0.0.1:6379`). */
export const REDIS_URL: string = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

/** A flush record with `flows` flows of made-up but plausible values (deterministic from `salt`). */
export function syntheticRecord(flows: number, salt = 0): FlushRecord {
  let state = (salt * 2654435761 + 12345) >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const keys = new Uint32Array(flows * FLOW_KEY_WORDS).map(random);
  const column = (scale: number) => Float64Array.from({ length: flows }, () => random() % scale);
  const buckets = new Float64Array(flows * BUCKET_STRIDE);
  for (let flow = 0; flow < flows; flow++) {
    buckets[flow * BUCKET_STRIDE] = flow;
    for (let i = 1; i < BUCKET_STRIDE; i++) buckets[flow * BUCKET_STRIDE + i] = random() % 100_000;
  }
  const sightings = Math.ceil(flows / 10);
  const stats = newEngineStats(3);
  stats.packets = flows * 10;
  if (flows === 0) stats.firstUs = Infinity;
  return {
    dissectorNames: ["ethernet", "ipv4", "tcp"],
    flows: {
      count: flows,
      keys,
      firstUs: column(1e15),
      lastUs: column(1e15),
      packets: column(1e6),
      bytes: column(1e9),
      tcpFlags: Uint8Array.from({ length: flows }, () => random() & 0xff),
      syn: Uint32Array.from({ length: flows }, () => random() % 10),
      rst: Uint32Array.from({ length: flows }, () => random() % 10),
      fin: Uint32Array.from({ length: flows }, () => random() % 10),
      app: Int16Array.from({ length: flows }, () => (random() % 4) - 1),
    },
    buckets,
    sightings: {
      count: sightings,
      keys: new Uint32Array(sightings * SIGHTING_KEY_WORDS).map(random),
      firstUs: Float64Array.from({ length: sightings }, () => random()),
      lastUs: Float64Array.from({ length: sightings }, () => random()),
      seen: Uint32Array.from({ length: sightings }, () => random() % 1000),
    },
    identities: [{
      key: "hostname",
      value: `host-${salt}`,
      confidence: 90,
      mac: "00:11:22:33:44:55",
      ip: "10.0.0.1",
      vlan_id: null,
      source: "dhcp",
      first_seen_us: 1,
      last_seen_us: 2,
      count: 1,
    }],
    events: [],
    stats,
  };
}

/** A batch of a small synthetic record. */
export function testBatch(sensor: string, seq: number, flows = 3, boot = "boot-1"): SensorBatch {
  return { sensor, boot, seq, record: syntheticRecord(flows, seq) };
}

/** Names unique to one test run, e.g. `test:<uuid>:observations`. */
export function uniqueNames(): { stream: string; group: string; channel: string } {
  const id = crypto.randomUUID().slice(0, 8);
  return { stream: `test:${id}:observations`, group: `test-${id}`, channel: `test:${id}:events` };
}

/** Deletes test keys (stream and its dead-letter stream) from the machine's Redis. */
export async function deleteStreams(...keys: string[]): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  await client.del(keys.flatMap((key) => [key, `${key}:dead`]));
  await client.quit();
}

/** Runs `command` against the machine's Redis. */
export async function redisCommand(args: string[], url = REDIS_URL): Promise<unknown> {
  const client = createClient({ url });
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    await client.quit();
  }
}

/** A TCP port nobody listens on (right now). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A throw-away redis-server on `port` (no persistence); resolves once it answers. */
export async function startRedisServer(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`Cannot start redis-server on port ${port}: it does not answer`);
}

/** Kills a throw-away server (SIGKILL: like a crash) and waits for it to be gone. */
export async function killRedisServer(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await child.status;
}

/** Collects log lines. */
export function logCollector(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/** Waits for a condition, with a deadline (the test helper of every test that waits). */
export { waitFor } from "../tests/wait.ts";
