/**
 * The physical (L2) topology, from what switches and devices announce about themselves: LLDP and
 * CDP (which chassis announces itself on which of its ports, with its name, management address and
 * native VLAN), STP BPDUs (bridge, root, port role) and PROFINET DCP (station names). Nothing is
 * guessed from traffic: each link carries its evidence (protocol, first and last heard, count).
 *
 * Read from the protocol events the dissectors emit (`lldp.neighbour`, `cdp.neighbour`,
 * `stp.root`, `profinet_dcp.*`, kept for the retention period) and the identity attributes.
 *
 * @module
 */

import type { Queryable } from "../database.ts";
import { iso, num } from "./sql.ts";
import { type L2Peer, placeOnSegments, type SegmentSighting } from "./l2_segments.ts";

export type { L2Peer } from "./l2_segments.ts";

/** Evidence of a link or a fact: which protocol said it, when, how often. */
export interface L2Evidence {
  protocol: string;
  first_heard: string;
  last_heard: string;
  count: number;
}

/** A neighbour announcing itself on one of its ports (an LLDP or CDP announcement). */
export interface L2Link {
  /** `<protocol>:<chassis id>:<port id>`. */
  id: string;
  protocol: "lldp" | "cdp";
  /** The announcing device (the frame's source). */
  device_id: number | null;
  mac_address: string;
  /** LLDP chassis id; for CDP, the device id. */
  chassis_id: string;
  port_id: string;
  system_name: string | null;
  platform: string | null;
  management_address: string | null;
  /** The port's VLAN as announced (LLDP port VLAN id, CDP native VLAN). */
  native_vlan: number | null;
  /** The VLAN the announcement was heard on (null: untagged). */
  heard_on_vlan: number | null;
  /** The sensor (capture interface) that heard it. */
  sensor_id: string | null;
  evidence: L2Evidence;
}

/** What one device's spanning tree BPDUs say. */
export interface L2StpPort {
  device_id: number | null;
  mac_address: string;
  bridge_id: string;
  root_id: string;
  is_root_bridge: boolean;
  root_path_cost: number | null;
  /** The sending port's role (RSTP/MSTP BPDUs say it; 802.1D ones do not). */
  port_role: string | null;
  /** The sending port id (`0x800c`), when the bridge sent from one port. */
  port_id: string | null;
  version: string | null;
  /** PVST+ VLAN, when per-VLAN. */
  vlan: number | null;
  evidence: L2Evidence;
}

/** A switch: a device that announced itself as a bridge (LLDP, CDP capabilities) or sent BPDUs. */
export interface L2Switch {
  device_id: number;
  mac_address: string;
  name: string | null;
  platform: string | null;
  management_addresses: string[];
  capabilities: string[];
  /** Its ports that announced themselves (link ids of {@linkcode L2Link}) or sent BPDUs. */
  ports: { port_id: string; protocols: string[]; native_vlan: number | null; stp_role: string | null }[];
  is_stp_root: boolean;
}

/** An end device identified by what it announced (PROFINET DCP, LLDP without bridge capability). */
export interface L2EndDevice {
  device_id: number;
  mac_address: string;
  name: string | null;
  station_name: string | null;
  protocols: string[];
  /** The switch port it is behind, when an announcement says so (null: not known). */
  behind: { device_id: number; port_id: string; evidence: string } | null;
}

/** The answer of `GET /topology/l2`. */
export interface L2Topology {
  switches: L2Switch[];
  links: L2Link[];
  /** Switch-to-switch links: both ends announced themselves on one segment, and nothing else did. */
  peers: L2Peer[];
  stp: { roots: string[]; ports: L2StpPort[] };
  end_devices: L2EndDevice[];
}

const EVIDENCE = `${iso("min(e.time)", "first_heard")}, ${iso("max(e.last_seen)", "last_heard")},
  ${num("sum(e.count)", "count")}`;

interface LinkRow extends Omit<L2Link, "id" | "evidence"> {
  first_heard: string;
  last_heard: string;
  count: number;
}

async function linksOf(db: Queryable): Promise<L2Link[]> {
  const rows = await db.query<LinkRow>(
    `SELECT split_part(e.type, '.', 1) AS protocol, ${
      num("d.id", "device_id")
    }, e.src_mac::text AS mac_address,
       COALESCE(e.fields->>'chassis_id', e.fields->>'device_id') AS chassis_id, e.fields->>'port_id' AS port_id,
       COALESCE(e.fields->>'system_name', CASE WHEN e.type = 'cdp.neighbour' THEN e.fields->>'device_id' END)
         AS system_name,
       e.fields->>'platform' AS platform,
       NULLIF(COALESCE(e.fields->>'management_address', e.fields->>'address'), '0.0.0.0') AS management_address,
       (COALESCE(e.fields->>'pvid', e.fields->>'native_vlan'))::int AS native_vlan, e.vlan_id AS heard_on_vlan,
       e.sensor_id, ${EVIDENCE}
     FROM protocol_events e LEFT JOIN devices d ON d.mac_address = e.src_mac
     WHERE e.type IN ('lldp.neighbour', 'cdp.neighbour') AND e.src_mac IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ORDER BY 4, 5, 1`,
  );
  return rows.map(({ first_heard, last_heard, count, ...link }) => ({
    ...link,
    id: `${link.protocol}:${link.chassis_id}:${link.port_id}`,
    evidence: { protocol: link.protocol, first_heard, last_heard, count },
  }));
}

interface StpRow extends Omit<L2StpPort, "evidence" | "is_root_bridge" | "port_id"> {
  first_heard: string;
  last_heard: string;
  count: number;
}

async function stpOf(db: Queryable): Promise<L2StpPort[]> {
  const rows = await db.query<StpRow>(
    `SELECT ${num("d.id", "device_id")}, e.src_mac::text AS mac_address, e.fields->>'bridge_id' AS bridge_id,
       e.fields->>'root_id' AS root_id, (e.fields->>'root_path_cost')::float8 AS root_path_cost,
       e.fields->>'port_role' AS port_role, e.fields->>'version' AS version, (e.fields->>'vlan')::int AS vlan,
       ${EVIDENCE}
     FROM protocol_events e LEFT JOIN devices d ON d.mac_address = e.src_mac
     WHERE e.type = 'stp.root' AND e.src_mac IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 3, 2, 8`,
  );
  const portIds = await db.query<{ mac_address: string; port_id: string }>(
    `SELECT mac_address::text AS mac_address, min(value) AS port_id FROM identity_attributes
     WHERE key = 'stp.port_id' AND mac_address IS NOT NULL GROUP BY mac_address HAVING count(DISTINCT value) = 1`,
  );
  const portOf = new Map(portIds.map((row) => [row.mac_address, row.port_id]));
  return rows.map(({ first_heard, last_heard, count, ...port }) => ({
    ...port,
    is_root_bridge: port.bridge_id === port.root_id,
    port_id: portOf.get(port.mac_address) ?? null,
    evidence: { protocol: "stp", first_heard, last_heard, count },
  }));
}

interface AttributeRow {
  device_id: number;
  mac_address: string;
  name: string | null;
  key: string;
  values: string[];
}

/** The announcing devices' identity attributes that say what they are. */
async function announcedAttributes(db: Queryable): Promise<AttributeRow[]> {
  return await db.query<AttributeRow>(
    `SELECT a.device_id::float8 AS device_id, d.mac_address::text AS mac_address,
       COALESCE(d.device_name, d.display_name) AS name, a.key, array_agg(DISTINCT a.value ORDER BY a.value) AS values
     FROM identity_attributes a JOIN devices d ON d.id = a.device_id
     WHERE a.key IN ('lldp.capabilities', 'lldp.enabled_capabilities', 'cdp.capabilities', 'cdp.platform',
       'lldp.management_address', 'cdp.addresses', 'lldp.system_name', 'cdp.device_id', 'stp.bridge_id',
       'ot.station_name') OR a.key LIKE 'profinet_dcp.%'
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 4`,
  );
}

/** Where PROFINET DCP stations were heard (sensor and VLAN). */
async function stationSightings(db: Queryable): Promise<SegmentSighting[]> {
  return await db.query<SegmentSighting>(
    `SELECT DISTINCT d.id::float8 AS device_id, e.sensor_id, e.vlan_id
     FROM protocol_events e JOIN devices d ON d.mac_address = e.src_mac WHERE e.type LIKE 'profinet_dcp.%'`,
  );
}

/** The physical topology. */
export async function getL2Topology(db: Queryable): Promise<L2Topology> {
  const [links, stp, attributes] = await Promise.all([linksOf(db), stpOf(db), announcedAttributes(db)]);
  const byDevice = new Map<number, { mac: string; name: string | null; keys: Map<string, string[]> }>();
  for (const row of attributes) {
    const entry = byDevice.get(row.device_id) ?? { mac: row.mac_address, name: row.name, keys: new Map() };
    entry.keys.set(row.key, row.values);
    byDevice.set(row.device_id, entry);
  }
  const capabilitiesOf = (keys: Map<string, string[]>) =>
    [
      ...new Set(
        [...(keys.get("lldp.capabilities") ?? []), ...(keys.get("cdp.capabilities") ?? [])]
          .flatMap((value) => value.split(",")).filter((value) => value !== ""),
      ),
    ].sort();
  const isSwitch = (id: number) => {
    const keys = byDevice.get(id)?.keys;
    if (!keys) return false;
    const capabilities = capabilitiesOf(keys);
    return capabilities.includes("bridge") || capabilities.includes("switch") || keys.has("stp.bridge_id");
  };
  const switchIds = new Set<number>();
  for (const link of links) {
    if (link.device_id !== null && isSwitch(link.device_id)) switchIds.add(link.device_id);
  }
  for (const port of stp) if (port.device_id !== null) switchIds.add(port.device_id);
  const switches: L2Switch[] = [...switchIds].sort((a, b) => a - b).map((id) => {
    const entry = byDevice.get(id);
    const keys = entry?.keys ?? new Map<string, string[]>();
    const ports = new Map<string, L2Switch["ports"][number]>();
    for (const link of links.filter((link) => link.device_id === id)) {
      const port = ports.get(link.port_id) ??
        { port_id: link.port_id, protocols: [], native_vlan: link.native_vlan, stp_role: null };
      if (!port.protocols.includes(link.protocol)) port.protocols.push(link.protocol);
      ports.set(link.port_id, port);
    }
    const bpdus = stp.filter((port) => port.device_id === id);
    for (const bpdu of bpdus) {
      const portId = bpdu.port_id ?? `stp:${bpdu.mac_address}`;
      const port = ports.get(portId) ?? { port_id: portId, protocols: [], native_vlan: null, stp_role: null };
      if (!port.protocols.includes("stp")) port.protocols.push("stp");
      port.stp_role = bpdu.port_role ?? port.stp_role;
      ports.set(portId, port);
    }
    const mac = entry?.mac ?? bpdus[0]?.mac_address ??
      links.find((link) => link.device_id === id)!.mac_address;
    const addresses = [...(keys.get("lldp.management_address") ?? []), ...(keys.get("cdp.addresses") ?? [])]
      .flatMap((value) => value.split(",")).filter((value) => value !== "0.0.0.0");
    return {
      device_id: id,
      mac_address: mac,
      name: entry?.name ?? keys.get("lldp.system_name")?.[0] ?? keys.get("cdp.device_id")?.[0] ?? null,
      platform: keys.get("cdp.platform")?.[0] ?? null,
      management_addresses: [...new Set(addresses)].sort(),
      capabilities: capabilitiesOf(keys),
      ports: [...ports.values()].sort((a, b) => a.port_id.localeCompare(b.port_id)),
      is_stp_root: bpdus.some((bpdu) => bpdu.is_root_bridge),
    };
  });
  const endDevices: L2EndDevice[] = [];
  for (const [id, entry] of byDevice) {
    if (switchIds.has(id)) continue;
    const protocols = new Set<string>();
    for (const key of entry.keys.keys()) {
      if (key.startsWith("profinet_dcp.") || key === "ot.station_name") protocols.add("profinet_dcp");
      if (key.startsWith("lldp.")) protocols.add("lldp");
      if (key.startsWith("cdp.")) protocols.add("cdp");
    }
    if (protocols.size === 0) continue;
    endDevices.push({
      device_id: id,
      mac_address: entry.mac,
      name: entry.name,
      station_name: entry.keys.get("ot.station_name")?.[0] ?? null,
      protocols: [...protocols].sort(),
      behind: null,
    });
  }
  endDevices.sort((a, b) => a.device_id - b.device_id);
  const roots = [...new Set(stp.map((port) => port.root_id))].sort();
  const peers = placeOnSegments(links, switchIds, endDevices, await stationSightings(db));
  return { switches, links, peers, stp: { roots, ports: stp }, end_devices: endDevices };
}
