/**
 * Counters of the dissection engine, shown by `analyze`, `status` and the API.
 *
 * @module
 */

/** How many problem descriptions are kept as samples. */
export const PROBLEM_SAMPLES = 20;

/** Most distinct identity records, and most distinct event records, one flush holds. */
export const MAX_OBSERVATIONS_PER_FLUSH = 100_000;

/** A dissector the engine switched off, and why. */
export interface DisabledDissector {
  name: string;
  reason: string;
}

/** Engine counters (cumulative since the engine started). */
export interface EngineStats {
  /** Frames seen. */
  packets: number;
  /** Bytes on the wire. */
  bytes: number;
  /** Earliest and latest packet time, µs since the epoch (±Infinity before the first packet). */
  firstUs: number;
  lastUs: number;
  /** Frames cut by the snapshot length inside a header (not an error of the sender). */
  truncated: number;
  /** Frames with impossible values (bad lengths, versions…). */
  malformed: number;
  /** IP fragments other than the first. */
  fragments: number;
  /** Frames whose link type has no dissector. */
  unsupportedLinkType: number;
  /** Frames too damaged to be attributed to any flow. */
  unaccounted: number;
  /**
   * Identities and events not recorded because one flush already held the most allowed
   * ({@linkcode MAX_OBSERVATIONS_PER_FLUSH} of each): a dissector reporting a value that changes
   * with every packet cannot grow the sensor's memory with the traffic.
   */
  observationsDropped: number;
  /**
   * TCP segments whose payload was not handed to the application dissector again: the flow had
   * carried that data already (`l4/tcp_retransmissions.ts`).
   */
  tcpRetransmissions: number;
  /** TCP segments joined behind the start of a PDU an earlier segment of the flow carried. */
  tcpReassembled: number;
  /** PDU starts given up: the next segment never came in sequence, too long, or a flush came first. */
  tcpReassemblyDropped: number;
  /**
   * Frames a drop-in plugin did not get to decode: the one its worker was running when the watchdog
   * stopped it (or it ran out of memory or ended), and those that came while the worker restarted.
   */
  pluginFramesLost: number;
  /** Identity values, event fields and observations of drop-in plugins cut to the size limit. */
  observationsCut: number;
  /**
   * Flushes a worker took on its own because its flow table reached `[dissectors] max_flows`: a
   * flood or a scan keeps the sensor's memory flat, and every flow still reaches the aggregator.
   */
  flowTableFlushes: number;
  /** Throws per dissector index. */
  dissectorErrors: number[];
  /** Malformed verdicts per dissector index. */
  dissectorMalformed: number[];
  /** Dissectors disabled for failing. */
  disabledDissectors: DisabledDissector[];
  /** The first {@linkcode PROBLEM_SAMPLES} problem descriptions, with the frame number. */
  problems: string[];
}

/** Fresh counters for `dissectorCount` dissectors. */
export function newEngineStats(dissectorCount: number): EngineStats {
  return {
    packets: 0,
    bytes: 0,
    firstUs: Infinity,
    lastUs: -Infinity,
    truncated: 0,
    malformed: 0,
    fragments: 0,
    unsupportedLinkType: 0,
    unaccounted: 0,
    observationsDropped: 0,
    tcpRetransmissions: 0,
    tcpReassembled: 0,
    tcpReassemblyDropped: 0,
    pluginFramesLost: 0,
    observationsCut: 0,
    flowTableFlushes: 0,
    dissectorErrors: new Array(dissectorCount).fill(0),
    dissectorMalformed: new Array(dissectorCount).fill(0),
    disabledDissectors: [],
    problems: [],
  };
}

/** Keeps a problem description if fewer than {@linkcode PROBLEM_SAMPLES} are kept. */
export function recordProblem(stats: EngineStats, description: string): void {
  if (stats.problems.length < PROBLEM_SAMPLES) stats.problems.push(`frame ${stats.packets}: ${description}`);
}
