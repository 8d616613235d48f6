/**
 * Live sensor benchmark at line rate: trafgen (Debian `netsniff-ng`) sends 64-byte frames at
 * 1.49 Mpps (1 Gbit/s of minimum-size frames) over a veth pair in a throw-away network namespace,
 * and the whole live sensor captures them (`_live_sensor_child.ts`: capture worker, ring, sandboxed
 * dissector worker, flushes). Two traffic shapes: a realistic number of flows (256 hosts × 256
 * ports, ≤ 65 536 flows) and every frame a new flow (random 24-bit source address and port: a
 * flood or a scan). Reports frames sent (the veth's own counter), received, dropped by kind (kernel,
 * interface, ring), packets the flushes accounted, flows, early flushes of a full flow table, and
 * peak memory. Target (issue: sensor at line rate): 1.49 Mpps for 60 s with 0 drops of any kind, in
 * both shapes, memory ≤ 1 KiB per held flow.
 *
 * `deno run -A --unstable-worker-options bench/live_trafgen.ts [--seconds 60] [--pps 1490000] [--max-flows 1000000]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { NETNS, Netns } from "../tests/netns.ts";
import type { CaptureStats } from "../capture/live/protocol.ts";

const CHILD = fileURLToPath(new URL("./_live_sensor_child.ts", import.meta.url));

/** 60-byte frames (64 on the wire): Ethernet, IPv4 with its checksum, UDP to 9999, zero padding. */
const SHAPES = {
  "realistic (≤ 65 536 flows)": "10, 0, 0, drnd(1), 192, 168, 0, 1, 0xc3, drnd(1)",
  "every frame a new flow": "10, drnd(3), 192, 168, 0, 1, drnd(2)",
} as const;

function trafgenConfig(addressesAndPort: string): string {
  return `{
  0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, c16(0x0800),
  0x45, 0x00, c16(46), c16(0), c16(0), 64, 17, csumip(14, 33),
  ${addressesAndPort}, c16(9999), c16(26), c16(0),
  fill(0x00, 18)
}`;
}

/** What one run measured. */
export interface TrafgenResult {
  shape: string;
  seconds: number;
  sent: number;
  sentPps: number;
  stats: CaptureStats;
  accounted: number;
  flows: number;
  earlyFlushes: number;
  peakRssMiB: number;
}

function trafgenMissing(): string | undefined {
  try {
    new Deno.Command("trafgen", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync();
    return undefined;
  } catch {
    return "trafgen is not installed (apt-get install netsniff-ng)";
  }
}

/** Why the trafgen bench cannot run here, or undefined. */
export function whyNoTrafgen(): string | undefined {
  return NETNS.missing ?? trafgenMissing();
}

async function runOnce(shape: keyof typeof SHAPES, seconds: number, pps: number, maxFlows: number) {
  await using ns = await Netns.create();
  const config = await Deno.makeTempFile({ suffix: ".cfg" });
  await Deno.writeTextFile(config, trafgenConfig(SHAPES[shape]));
  const child = new Deno.Command(ns.prefix[0], {
    args: [
      ...ns.prefix.slice(1),
      Deno.execPath(),
      "run",
      "-A",
      "--unstable-worker-options",
      CHILD,
      ns.captureIface,
      String(seconds * 4 + 30),
      String(maxFlows),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`the sensor ended early: ${buffered}`);
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  try {
    if (JSON.parse(await nextLine()).event !== "started") throw new Error("the sensor did not start");
    const before = await ns.counters(ns.sendIface);
    const started = performance.now();
    await ns.exec("trafgen", [
      "--dev",
      ns.sendIface,
      "--conf",
      config,
      "--num",
      String(Math.round(pps * seconds)),
      "--rate",
      `${pps}pps`,
      "--cpus",
      "1",
      "--no-cpu-stats",
      "--notouch-irq",
    ]);
    const sendSeconds = (performance.now() - started) / 1000;
    const sent = (await ns.counters(ns.sendIface)).txPackets - before.txPackets;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last frames reach the ring
    await child.stdin.close();
    const result = JSON.parse(await nextLine());
    await child.status;
    return {
      shape,
      seconds: sendSeconds,
      sent,
      sentPps: sent / sendSeconds,
      stats: result.stats,
      accounted: result.packets,
      flows: result.flows,
      earlyFlushes: result.earlyFlushes,
      peakRssMiB: result.peakRss / 1048576,
    } satisfies TrafgenResult;
  } finally {
    await Deno.remove(config);
    try {
      child.kill("SIGKILL");
    } catch {
      // already ended
    }
  }
}

/** Runs both shapes once each. */
export async function benchTrafgen(
  options: { seconds?: number; pps?: number; maxFlows?: number } = {},
): Promise<TrafgenResult[]> {
  const results: TrafgenResult[] = [];
  for (const shape of Object.keys(SHAPES) as (keyof typeof SHAPES)[]) {
    results.push(
      await runOnce(shape, options.seconds ?? 60, options.pps ?? 1_490_000, options.maxFlows ?? 1_000_000),
    );
  }
  return results;
}

/** The results as a Markdown table. */
export function trafgenTable(results: TrafgenResult[]): string {
  const rows = results.map((r) => {
    const drops = r.stats.kernelDropped + r.stats.interfaceDropped + r.stats.ringDropped;
    return `| ${r.shape} | ${r.sent.toLocaleString("en")} | ${(r.sentPps / 1e6).toFixed(2)} Mpps | ${
      r.stats.received.toLocaleString("en")
    } | ${r.stats.kernelDropped} / ${r.stats.interfaceDropped} / ${r.stats.ringDropped} | ${
      r.accounted.toLocaleString("en")
    } | ${r.flows.toLocaleString("en")} | ${r.earlyFlushes} | ${r.peakRssMiB.toFixed(0)} MiB | ${
      drops === 0 && r.accounted === r.sent ? "yes" : "no"
    } |`;
  });
  return [
    "| trafgen 64-byte frames over veth | sent | rate | received | drops kernel / interface / ring | accounted | flows | early flushes | peak memory | 0 drops, all accounted |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --- |",
    ...rows,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { seconds: { type: "string" }, pps: { type: "string" }, "max-flows": { type: "string" } },
  });
  const missing = whyNoTrafgen();
  if (missing !== undefined) {
    console.error(`bench: live trafgen: skipped (${missing})`);
    Deno.exit(0);
  }
  const results = await benchTrafgen({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    pps: values.pps ? Number(values.pps) : undefined,
    maxFlows: values["max-flows"] ? Number(values["max-flows"]) : undefined,
  });
  console.log(trafgenTable(results));
}
