/**
 * IEC 61850 GOOSE (IEC 61850-8-1 Annex A/C) on EtherType 0x88B8, usually 802.1Q priority-tagged
 * (the engine removes the tag before the EtherType table). The wire layout is drawn in `_reader.ts`.
 *
 * | observation                                         | about | when                                     |
 * | --------------------------------------------------- | ----- | ---------------------------------------- |
 * | `goose.role` = `publisher`, `goose.gocb_ref`, `goose.dat_set`, `goose.go_id`, `goose.appid` (hex), `goose.conf_rev`, `ot.device_type` = `IED` (60) | src | a new gocbRef, a confRev change, then every 256th frame |
 * | `goose.state_change` info (op publish; gocb_ref, dat_set) | src | stNum differs from the previous frame of the same gocbRef |
 * | `goose.simulation` notice (op other; gocb_ref)       | src   | simulation/test flag or Reserved1 S bit set |
 * | `goose.ndscom` notice (op config_change; gocb_ref)   | src   | needsCommissioning is true               |
 * | anomaly `goose_entries_mismatch` (notice)            | src   | numDatSetEntries ≠ elements of allData   |
 *
 * State across packets: the last stNum and confRev of each gocbRef are kept, per engine, in a Map
 * of at most {@linkcode MAX_TRACKED} entries, cleared when full (a state change may then be missed
 * once).
 *
 * @module
 */

import { Decoded, type Dissector, type Observer, type Packet } from "../../api.ts";
import { GooseReader, OK, TRUNCATED, visibleAt } from "./_reader.ts";

const PROTOCOL = "GOOSE";
/** EtherType of GOOSE (IEC 61850-8-1 Annex C). */
export const GOOSE_ETHERTYPE = 0x88b8;
/** Most gocbRefs whose last stNum is remembered. */
export const MAX_TRACKED = 4096;
const SIMULATION_BIT = 0x8000;

const reader = new GooseReader();

/** What is remembered of one gocbRef between frames. */
interface GocbState {
  /** Last stNum (-1: the frame had none). */
  stNum: number;
  /** Last confRev (-1: none). */
  confRev: number;
  /** Frames since its identities were last reported. */
  frames: number;
}

/** State per gocbRef, per engine (keyed by its observer, so two engines never share it). */
let gocbsByObserver = new WeakMap<Observer, Map<string, GocbState>>();
const REPORT_EVERY = 256;

function gocbsOf(out: Observer): Map<string, GocbState> {
  let map = gocbsByObserver.get(out);
  if (map === undefined) gocbsByObserver.set(out, map = new Map());
  return map;
}

/** Forgets every remembered gocbRef (tests; a new capture). */
export function forgetGooseState(): void {
  gocbsByObserver = new WeakMap();
}

function say(packet: Packet, out: Observer, key: string, value: string, confidence = 90): void {
  if (value !== "") out.identity(packet, "src", { key, value, confidence });
}

function report(packet: Packet, out: Observer): void {
  const r = reader;
  const bytes = packet.bytes;
  const gocbRef = visibleAt(bytes, r.gocbRefAt, r.gocbRefLength);
  const datSet = r.datSetAt >= 0 ? visibleAt(bytes, r.datSetAt, r.datSetLength) : "";
  const gocbs = gocbsOf(out);
  let state = gocbs.get(gocbRef);
  if (state === undefined) {
    if (gocbs.size >= MAX_TRACKED) gocbs.clear();
    gocbs.set(gocbRef, state = { stNum: r.stNum, confRev: r.confRev, frames: 0 });
    reportIdentities(packet, out, gocbRef, datSet);
  } else {
    // A publisher repeats its frame every few milliseconds, and some change state with nearly
    // every frame: its identities are reported when the gocbRef is new, when its configuration
    // revision changes, and otherwise once per 256 frames.
    state.frames++;
    if (state.frames === REPORT_EVERY || state.confRev !== r.confRev) {
      state.frames = 0;
      state.confRev = r.confRev;
      reportIdentities(packet, out, gocbRef, datSet);
    }
    if (r.stNum >= 0) {
      if (state.stNum >= 0 && state.stNum !== r.stNum) {
        out.event(packet, {
          type: "goose.state_change",
          severity: "info",
          fields: { op: "publish", gocb_ref: gocbRef, dat_set: datSet },
        });
      }
      state.stNum = r.stNum;
    }
  }
  reportFlags(packet, out, gocbRef);
}

function reportIdentities(packet: Packet, out: Observer, gocbRef: string, datSet: string): void {
  const r = reader;
  const bytes = packet.bytes;
  say(packet, out, "goose.role", "publisher");
  say(packet, out, "goose.gocb_ref", gocbRef);
  say(packet, out, "goose.dat_set", datSet);
  if (r.goIdAt >= 0) say(packet, out, "goose.go_id", visibleAt(bytes, r.goIdAt, r.goIdLength));
  say(packet, out, "goose.appid", `0x${r.appid.toString(16).padStart(4, "0")}`);
  if (r.confRev >= 0) say(packet, out, "goose.conf_rev", String(r.confRev));
  say(packet, out, "ot.device_type", "IED", 60);
}

function reportFlags(packet: Packet, out: Observer, gocbRef: string): void {
  const r = reader;
  if (r.simulation === 1 || (r.reserved1 & SIMULATION_BIT) !== 0) {
    out.event(packet, {
      type: "goose.simulation",
      severity: "notice",
      fields: { op: "other", gocb_ref: gocbRef },
    });
  }
  if (r.ndsCom === 1) {
    out.event(packet, {
      type: "goose.ndscom",
      severity: "notice",
      fields: { op: "config_change", gocb_ref: gocbRef },
    });
  }
  if (r.numDatSetEntries >= 0 && r.allDataCount >= 0 && r.numDatSetEntries !== r.allDataCount) {
    out.anomaly(packet, "goose_entries_mismatch", "notice");
  }
}

/** GOOSE dissector, reached from the EtherType table (0x88B8). */
export const goose: Dissector = {
  name: "goose",
  title: "IEC 61850 Generic Object Oriented Substation Event (IEC 61850-8-1)",
  registration: { tables: { ethertype: [GOOSE_ETHERTYPE] } },
  decode(packet, out) {
    const r = reader;
    const status = r.read(packet.bytes, packet.view, packet.offset, packet.end);
    if (status === TRUNCATED) return packet.truncated(PROTOCOL, r.problemAt);
    if (status !== OK) return packet.fail(PROTOCOL, status, r.problemAt, r.problemValue);
    if (!r.management) report(packet, out);
    return Decoded.DONE;
  },
};
