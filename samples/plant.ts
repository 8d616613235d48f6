/**
 * The sample capture NetSentinel ships: a small, realistic plant network over ten minutes, generated
 * deterministically (same seed, same bytes) so no third-party capture is ever copied into the repository.
 *
 * What is on the wire (see {@linkcode PLANT_GROUND_TRUTH} for the exact facts and counts):
 * - two switches (Cisco office, Hirschmann OT) sending LLDP every 30 s; the office one is the RSTP root
 *   and sends a BPDU every 2 s;
 * - office VLAN 10: a DHCP server leasing addresses (full DORA, option 12 host names) to two
 *   workstations, a DNS server, browsing (HTTP and TLS with SNI) to off-subnet servers behind the
 *   router's MAC, ARP (one gratuitous), an IPv6 printer sending MLDv2 and Neighbor Advertisements;
 * - OT VLAN 20: an HMI polling two PLCs with Modbus/TCP (PLC 2 across a QinQ trunk, S-VLAN 200 /
 *   C-VLAN 20) and an engineering workstation writing one register.
 *
 * @module
 */

import { LldpCapability, parseIpv4, writeLldpFrame, writeRstpFrame } from "./frames.ts";
import { PcapWriter } from "./pcap_writer.ts";
import { DEFAULT_SEED, Rng } from "./rng.ts";
import { device, jitter, type PlantContext } from "./plant/context.ts";
import { PLANT_GROUND_TRUTH, PLANT_SCHEDULE } from "./plant/ground_truth.ts";
import { officeBrowsing } from "./plant/browsing.ts";
import { officeLeases, printerNdp } from "./plant/office.ts";
import { engineeringWrite, hmiPolling } from "./plant/ot.ts";
import { FrameSink } from "./plant/sink.ts";

export {
  PLANT_BROWSING,
  PLANT_DNS,
  PLANT_GROUND_TRUTH,
  PLANT_HOSTS,
  PLANT_SCHEDULE,
  type PlantGroundTruth,
  type PlantHost,
  type PlantRole,
} from "./plant/ground_truth.ts";

/** Options of {@linkcode writePlantSample}. */
export interface PlantSampleOptions {
  /** Seed of timing jitter, ports, ids and register values (not of hosts or counts). Default `DEFAULT_SEED`. */
  seed?: number;
  /** Nanosecond pcap timestamps. Default false (microseconds). */
  nanosecond?: boolean;
}

/** What {@linkcode writePlantSample} wrote. */
export interface CaptureSummary {
  /** File written. */
  path: string;
  /** Number of frames. */
  frames: number;
  /** File size in bytes. */
  bytes: number;
}

function switches(ctx: PlantContext): void {
  const { sink } = ctx;
  const office = device("sw-office-01");
  const ot = device("sw-ot-01");
  const lldp = [
    {
      dev: office,
      first: 1,
      info: {
        chassisMac: office.mac,
        portId: "Gi1/0/24",
        portDescription: "SPAN destination",
        systemName: "sw-office-01",
        systemDescription: "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8",
        capabilities: LldpCapability.BRIDGE | LldpCapability.ROUTER,
        enabledCapabilities: LldpCapability.BRIDGE,
        managementIp: parseIpv4(office.info.ip!),
      },
    },
    {
      dev: ot,
      first: 11,
      info: {
        chassisMac: ot.mac,
        portId: "1/8",
        portDescription: "Module: 1 Port: 8 - 10/100 Mbit TX",
        systemName: "sw-ot-01",
        systemDescription: "Hirschmann Railswitch RS30 HiOS-2A-09.1.00",
        capabilities: LldpCapability.BRIDGE,
        managementIp: parseIpv4(ot.info.ip!),
      },
    },
  ];
  for (const { first, info } of lldp) {
    for (let t = first; t < PLANT_SCHEDULE.durationSeconds; t += PLANT_SCHEDULE.lldpPeriod) {
      sink.emit(t + jitter(ctx, 0, 0.01), writeLldpFrame(sink.buf, 0, info));
    }
  }
  const bpdu = {
    srcMac: office.mac,
    rootPriority: 24576 + 1,
    rootMac: office.mac,
    rootPathCost: 0,
    bridgePriority: 24576 + 1,
    bridgeMac: office.mac,
    portId: 0x8018,
    flags: 0x3c,
  };
  for (let t = 0.5; t < PLANT_SCHEDULE.durationSeconds; t += PLANT_SCHEDULE.stpPeriod) {
    sink.emit(t + jitter(ctx, 0, 0.002), writeRstpFrame(sink.buf, 0, bpdu));
  }
}

/**
 * Writes the plant sample capture (classic pcap, Ethernet).
 *
 * @param path File to create or overwrite (its folder must exist).
 * @param options Seed and timestamp resolution.
 * @returns Path, frame count and size of the file.
 *
 * @example
 * ```ts
 * import { PLANT_GROUND_TRUTH, writePlantSample } from "./plant.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pcap" });
 * const { frames } = await writePlantSample(path);
 * if (frames !== PLANT_GROUND_TRUTH.frames.total) throw new Error("unexpected frame count");
 * await Deno.remove(path);
 * ```
 */
export async function writePlantSample(
  path: string,
  options: PlantSampleOptions = {},
): Promise<CaptureSummary> {
  const ctx: PlantContext = { sink: new FrameSink(), rng: new Rng(options.seed ?? DEFAULT_SEED) };
  switches(ctx);
  officeLeases(ctx);
  printerNdp(ctx);
  officeBrowsing(ctx);
  hmiPolling(ctx);
  engineeringWrite(ctx);
  const writer = await PcapWriter.create(path, { nanosecond: options.nanosecond });
  try {
    ctx.sink.writeTo(writer, Date.parse(PLANT_GROUND_TRUTH.startTime) * 1000);
  } finally {
    writer.close();
  }
  return { path, frames: writer.frames, bytes: writer.bytes };
}
