/**
 * A sensor's engine counters as reports show them (snake_case, dissectors by name). Apart from the
 * inventory views so that `status` reads them without loading the derivations.
 *
 * @module
 */

import type { SensorCounters } from "./inventory_types.ts";
import type { EngineStats } from "../model/engine_stats.ts";

function byName(counts: number[], names: string[]): Record<string, number> {
  const named: Record<string, number> = {};
  counts.forEach((count, index) => {
    if (count > 0) named[names[index] ?? `#${index}`] = count;
  });
  return named;
}

/** Engine counters of one sensor, with dissector names, as reported. */
export function sensorCounters(stats: EngineStats & { dissectorNames: string[] }): SensorCounters {
  return {
    packets: stats.packets,
    bytes: stats.bytes,
    truncated: stats.truncated,
    malformed: stats.malformed,
    fragments: stats.fragments,
    unsupported_link_type: stats.unsupportedLinkType,
    unaccounted: stats.unaccounted,
    observations_dropped: stats.observationsDropped ?? 0,
    tcp_retransmissions: stats.tcpRetransmissions ?? 0,
    tcp_reassembled: stats.tcpReassembled ?? 0,
    tcp_reassembly_dropped: stats.tcpReassemblyDropped ?? 0,
    plugin_frames_lost: stats.pluginFramesLost ?? 0,
    observations_cut: stats.observationsCut ?? 0,
    flow_table_flushes: stats.flowTableFlushes ?? 0,
    dissector_errors: byName(stats.dissectorErrors, stats.dissectorNames),
    dissector_malformed: byName(stats.dissectorMalformed, stats.dissectorNames),
    disabled_dissectors: stats.disabledDissectors,
    problems: stats.problems,
  };
}
