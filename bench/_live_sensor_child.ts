/**
 * Child of the trafgen bench (`live_trafgen.ts`), run inside the bench's network namespace: the
 * whole live sensor (capture worker → ring → sandboxed dissector worker → flush records) on one
 * interface until its stdin closes (at most SECONDS), the flush records counted and dropped (no aggregator: the
 * sensor alone is measured). Prints one JSON line with the capture counters, what the flushes
 * accounted, and the peak resident memory of the process.
 *
 * Usage: deno run -A --unstable-worker-options bench/_live_sensor_child.ts IFACE SECONDS MAX_FLOWS
 *
 * @module
 */

import { LiveSensor } from "../sensor/live_sensor.ts";

const [iface, secondsArg, maxFlowsArg] = Deno.args;
let packets = 0;
let bytes = 0;
let flows = 0;
let flushes = 0;
let earlyFlushes = 0;
let peakRss = Deno.memoryUsage().rss;
const sampler = setInterval(() => peakRss = Math.max(peakRss, Deno.memoryUsage().rss), 250);
const sensor = await LiveSensor.start({
  interfaces: [{ iface, bufferBytes: 256 * 1024 * 1024 }],
  maxFlows: Number(maxFlowsArg),
  flushIntervalMs: 60_000,
  onFlush: (record) => {
    flushes++;
    flows += record.flows.count;
    for (let i = 0; i < record.flows.count; i++) {
      packets += record.flows.packets[i];
      bytes += record.flows.bytes[i];
    }
    earlyFlushes = record.stats.flowTableFlushes;
  },
});
console.log(JSON.stringify({ event: "started" }));
// Runs until the bench closes our stdin (after the sender finished), or SECONDS at most.
await Promise.race([
  Deno.stdin.readable.pipeTo(new WritableStream()),
  new Promise((resolve) => setTimeout(resolve, Number(secondsArg) * 1000)),
]);
const stats = await sensor.stop();
clearInterval(sampler);
peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
console.log(
  JSON.stringify({ event: "result", stats: stats[0], packets, bytes, flows, flushes, earlyFlushes, peakRss }),
);
Deno.exit(0);
