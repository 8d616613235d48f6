/**
 * Dissector tables, built from the registrations the dissectors declare (Wireshark's
 * `dissector_add_uint` tables, but declared by each dissector and collected here).
 *
 * Every table maps a key to a dissector index in {@linkcode DissectorRegistry.dissectors}; the
 * dense ones (link type, EtherType, IP protocol, ports) are Int16Arrays so a lookup is one load.
 *
 * @module
 */

import { type Dissector, PLUGIN_API_VERSION } from "./api.ts";
import { Table, type TableName } from "./packet.ts";
import { suggestion } from "./close_names.ts";

const NONE = -1;

const TABLE_IDS: Record<TableName, number> = {
  link: Table.LINK,
  ethertype: Table.ETHERTYPE,
  "llc.sap": Table.LLC_SAP,
  snap: Table.SNAP,
  "ip.proto": Table.IP_PROTO,
  "tcp.port": Table.TCP_PORT,
  "udp.port": Table.UDP_PORT,
};

const TABLE_KEY_LIMITS: Record<TableName, number> = {
  link: 0xffff,
  ethertype: 0xffff,
  "llc.sap": 0xff,
  snap: 0xffffffffff,
  "ip.proto": 0xff,
  "tcp.port": 0xffff,
  "udp.port": 0xffff,
};

/** Options of {@linkcode DissectorRegistry}. */
export interface RegistryOptions {
  /**
   * Port changes per dissector name, replacing its declared ports (Wireshark's "decode as"
   * preferences), e.g. `{ modbus: { "tcp.port": [502, 5020] } }`.
   */
  ports?: Record<string, Partial<Record<"tcp.port" | "udp.port", number[]>>>;
  /** Names of dissectors to leave out. */
  disabled?: string[];
}

/** Error raised for a registration that cannot be honoured (bad key, conflict, wrong API version). */
export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistrationError";
  }
}

/** A misspelt name in `disabled` or `ports` would silently do nothing: refuse it. */
function checkNames(known: string[], options: RegistryOptions): void {
  const names = new Set(known);
  const uses: [string, string][] = [
    ...(options.disabled ?? []).map((name): [string, string] => [name, "disable"]),
    ...Object.keys(options.ports ?? {}).map((name): [string, string] => [name, "move the ports of"]),
  ];
  for (const [name, action] of uses) {
    if (names.has(name)) continue;
    const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
    const where = action === "disable" ? "[dissectors] disabled" : "[dissectors.ports]";
    throw new RegistrationError(
      `Cannot ${action} dissector "${shown}" (${where}): no dissector has that name${
        suggestion(name, known)
      }`,
    );
  }
}

/** The dissector tables. */
export class DissectorRegistry {
  /** Dissectors by index. */
  readonly dissectors: Dissector[] = [];
  readonly link: Int16Array = new Int16Array(0x10000).fill(NONE);
  readonly ethertype: Int16Array = new Int16Array(0x10000).fill(NONE);
  readonly llcSap: Int16Array = new Int16Array(0x100).fill(NONE);
  readonly snap: Map<number, number> = new Map();
  readonly ipProto: Int16Array = new Int16Array(0x100).fill(NONE);
  readonly tcpPort: Int16Array = new Int16Array(0x10000).fill(NONE);
  readonly udpPort: Int16Array = new Int16Array(0x10000).fill(NONE);
  /** Indexes of dissectors with a TCP heuristic, in registration order. */
  readonly tcpHeuristics: number[] = [];
  /** Indexes of dissectors with a UDP heuristic. */
  readonly udpHeuristics: number[] = [];
  /** True for indexes that were disabled after registration (e.g. a plugin that kept failing). */
  readonly disabled: boolean[] = [];

  /**
   * @param dissectors built-ins first, then plugins
   * @throws {RegistrationError} on an invalid key, a key already taken, or an unsupported API version
   */
  constructor(dissectors: readonly Dissector[], options: RegistryOptions = {}) {
    checkNames(dissectors.map((dissector) => dissector.name), options);
    const disabled = new Set(options.disabled ?? []);
    for (const dissector of dissectors) {
      if (disabled.has(dissector.name)) continue;
      this.#add(dissector, options.ports?.[dissector.name]);
    }
  }

  /** Dissector index for `key` in table `table` ({@linkcode Table}), or -1. */
  lookup(table: number, key: number): number {
    switch (table) {
      case Table.ETHERTYPE:
        return this.ethertype[key];
      case Table.IP_PROTO:
        return this.ipProto[key];
      case Table.LINK:
        return this.link[key];
      case Table.LLC_SAP:
        return this.llcSap[key];
      case Table.SNAP:
        return this.snap.get(key) ?? NONE;
      case Table.TCP_PORT:
        return this.tcpPort[key];
      case Table.UDP_PORT:
        return this.udpPort[key];
      default:
        return NONE;
    }
  }

  /** Index of the dissector named `name`, or -1. */
  indexOf(name: string): number {
    return this.dissectors.findIndex((dissector) => dissector.name === name);
  }

  /** Removes a dissector from every table (it stays in the list, marked disabled). */
  disable(index: number): void {
    this.disabled[index] = true;
    for (const table of [this.link, this.ethertype, this.llcSap, this.ipProto, this.tcpPort, this.udpPort]) {
      for (let key = 0; key < table.length; key++) if (table[key] === index) table[key] = NONE;
    }
    for (const [key, value] of this.snap) if (value === index) this.snap.delete(key);
    for (const list of [this.tcpHeuristics, this.udpHeuristics]) {
      const at = list.indexOf(index);
      if (at >= 0) list.splice(at, 1);
    }
  }

  #add(dissector: Dissector, ports: Partial<Record<"tcp.port" | "udp.port", number[]>> | undefined): void {
    const version = dissector.apiVersion ?? PLUGIN_API_VERSION;
    if (version !== PLUGIN_API_VERSION) {
      throw new RegistrationError(
        `Cannot register dissector "${dissector.name}": written for plugin API ${version}, this NetSentinel provides API ${PLUGIN_API_VERSION}`,
      );
    }
    const index = this.dissectors.length;
    this.dissectors.push(dissector);
    this.disabled.push(false);
    const tables = { ...dissector.registration.tables, ...ports };
    for (const [name, keys] of Object.entries(tables) as [TableName, readonly number[]][]) {
      if (!(name in TABLE_IDS)) {
        throw new RegistrationError(`Cannot register dissector "${dissector.name}": unknown table "${name}"`);
      }
      for (const key of keys) this.#claim(dissector.name, name, key, index);
    }
    for (const heuristic of dissector.registration.heuristics ?? []) {
      if (typeof dissector.probe !== "function") {
        throw new RegistrationError(
          `Cannot register dissector "${dissector.name}" as a ${heuristic} heuristic: it has no probe()`,
        );
      }
      (heuristic === "tcp" ? this.tcpHeuristics : this.udpHeuristics).push(index);
    }
  }

  #claim(name: string, table: TableName, key: number, index: number): void {
    const limit = TABLE_KEY_LIMITS[table];
    if (!Number.isInteger(key) || key < 0 || key > limit) {
      throw new RegistrationError(
        `Cannot register dissector "${name}" on ${table} ${key}: keys of this table are integers from 0 to ${limit}`,
      );
    }
    const current = this.lookup(TABLE_IDS[table], key);
    if (current !== NONE) {
      throw new RegistrationError(
        `Cannot register dissector "${name}" on ${table} ${key}: already taken by "${
          this.dissectors[current].name
        }"`,
      );
    }
    switch (table) {
      case "link":
        this.link[key] = index;
        break;
      case "ethertype":
        this.ethertype[key] = index;
        break;
      case "llc.sap":
        this.llcSap[key] = index;
        break;
      case "snap":
        this.snap.set(key, index);
        break;
      case "ip.proto":
        this.ipProto[key] = index;
        break;
      case "tcp.port":
        this.tcpPort[key] = index;
        break;
      case "udp.port":
        this.udpPort[key] = index;
        break;
    }
  }
}
