/**
 * SQL pieces of the logical topology (storage/read/topology.ts): the endpoint of each side of a
 * flow at every level (device, subnet, VLAN, zone), the protocol name of a flow, and the test for
 * broadcast and multicast destinations. Built from constants only; user values go in as `$n`.
 *
 * @module
 */

/** A side of a flow. */
export type Side = "src" | "dst";

/** Short names of the EtherTypes of non-IP flows (the protocol of a flow no dissector named). */
const ETHERTYPE_PROTOCOLS: Record<number, string> = {
  0x0806: "arp",
  0x8035: "rarp",
  0x0842: "wol",
  0x8809: "lacp",
  0x888e: "eapol",
  0x8892: "profinet",
  0x88a4: "ethercat",
  0x88b8: "goose",
  0x88ba: "sv",
  0x88cc: "lldp",
  0x88e3: "mrp",
  0x88f7: "ptp",
  0x88fb: "prp",
  0x8902: "cfm",
};

const IP_PROTOCOLS: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  6: "tcp",
  17: "udp",
  47: "gre",
  58: "icmpv6",
};

function cases(column: string, names: Record<number, string>): string {
  return Object.entries(names).map(([value, name]) => `WHEN ${column} = ${value} THEN '${name}'`).join(" ");
}

/**
 * The protocol of a flow `f`: its application (`modbus`, `dns`…), else its IP protocol (`tcp`,
 * `ip-proto-N`), else its EtherType (`arp`, `lldp`, `ethertype-0x88e1`), else `llc` (802.3 frames:
 * STP, CDP).
 */
export const PROTOCOL_SQL = `COALESCE(f.application,
  CASE ${
  cases("f.ip_protocol", IP_PROTOCOLS)
} WHEN f.ip_protocol IS NOT NULL THEN 'ip-proto-' || f.ip_protocol END,
  CASE ${
  cases("f.ethertype", ETHERTYPE_PROTOCOLS)
} WHEN f.ethertype IS NOT NULL AND f.ethertype NOT IN (2048, 34525)
    THEN 'ethertype-0x' || lpad(to_hex(f.ethertype), 4, '0') END,
  CASE WHEN f.ip_protocol IS NULL THEN 'llc' ELSE 'ip' END)`;

/**
 * True when the flow's destination is not one host: a group MAC (broadcast, multicast: the I/G
 * bit), an IPv4 multicast or limited broadcast, an IPv6 multicast address.
 */
export const GROUP_DESTINATION_SQL = `(
  (f.dst_mac & '01:00:00:00:00:00'::macaddr) = '01:00:00:00:00:00'::macaddr
  OR f.dst_ip <<= '224.0.0.0/4'::inet OR f.dst_ip = '255.255.255.255'::inet OR f.dst_ip <<= 'ff00::/8'::inet)`;

/**
 * The flows matching `where`, summed per endpoint pair, VLAN and protocol (`f`: side columns,
 * `vlan_id`, `protocol`, `unicast`, `packet_count`, `byte_count`, `flow_count`, `first_seen`,
 * `last_seen`): the owner joins then run once per pair, not once per port-level flow.
 */
export function endpointPairs(where: string): string {
  return `(SELECT f.src_device_id, f.src_ip, f.src_mac, f.dst_device_id, f.dst_ip, f.dst_mac, f.vlan_id,
    ${PROTOCOL_SQL} AS protocol, NOT ${GROUP_DESTINATION_SQL} AS unicast,
    sum(f.packet_count) AS packet_count, sum(f.byte_count) AS byte_count, count(*) AS flow_count,
    min(f.first_seen) AS first_seen, max(f.last_seen) AS last_seen
  FROM traffic_flows f ${where} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) f`;
}

/**
 * The joins that find who owns each side's address: `a_<side>` the device that owns it (when
 * several do, the flow's own device among them wins); `p_<side>` the first own address of the
 * device of a non-IP side (for its subnet).
 */
export function ownerJoins(side: Side): string {
  return `LEFT JOIN owner a_${side} ON a_${side}.ip_address = f.${side}_ip
  LEFT JOIN primary_address p_${side} ON f.${side}_ip IS NULL AND p_${side}.device_id = f.${side}_device_id`;
}

/**
 * The CTEs {@linkcode ownerJoins} reads: owned addresses, one owner per address (and every owner
 * when several claim it), a first address per device. A gateway does not own the addresses it was
 * only heard sending from (the remote hosts it routes for), as in the inventory's top talkers.
 */
export const OWNER_CTES = `owned AS MATERIALIZED (
  SELECT DISTINCT ON (i.device_id, i.ip_address) i.device_id, i.ip_address, i.vlan_id FROM device_ips i
  JOIN devices gw ON gw.id = i.device_id
  WHERE cardinality(i.learnt_from) > 0 AND NOT (gw.is_gateway AND i.learnt_from = '{traffic}')
  ORDER BY i.device_id, i.ip_address, i.last_seen DESC NULLS LAST),
owner AS MATERIALIZED (
  SELECT ip_address, min(device_id) AS device_id, (array_agg(vlan_id ORDER BY device_id))[1] AS vlan_id,
    'd:' || min(device_id) AS node, count(*) > 1 AS shared, array_agg(device_id) AS devices,
    'subnet:' || network(set_masklen(ip_address, CASE family(ip_address) WHEN 4 THEN 24 ELSE 64 END))::text
      AS subnet
  FROM owned GROUP BY ip_address),
primary_address AS MATERIALIZED (
  SELECT device_id, ip_address,
    'subnet:' || network(set_masklen(ip_address, CASE family(ip_address) WHEN 4 THEN 24 ELSE 64 END))::text
      AS subnet
  FROM (SELECT DISTINCT ON (device_id) device_id, ip_address FROM owned
        ORDER BY device_id, family(ip_address), ip_address) first_address)`;

/** The device owning a side's address (the flow's own device when it is one of its owners). */
function ownerOf(side: Side): string {
  return `CASE WHEN a_${side}.shared AND f.${side}_device_id = ANY (a_${side}.devices) THEN f.${side}_device_id
    ELSE a_${side}.device_id END`;
}

/** The device of a side (owner of its address, or the frame's device for non-IP flows), or NULL. */
export function deviceOf(side: Side): string {
  return `CASE WHEN f.${side}_ip IS NULL THEN f.${side}_device_id ELSE ${ownerOf(side)} END`;
}

/** The device-level node of a side: `d:<id>`, `ip:<address>` (a host no device owns), `mac:<mac>`. */
export function deviceNodeOf(side: Side): string {
  return `CASE WHEN f.${side}_ip IS NULL THEN COALESCE('d:' || f.${side}_device_id, 'mac:' || f.${side}_mac::text)
    WHEN a_${side}.device_id IS NULL THEN 'ip:' || host(f.${side}_ip)
    WHEN a_${side}.shared THEN 'd:' || (${ownerOf(side)}) ELSE a_${side}.node END`;
}

/** The address a side is placed by: the flow's, else the first own address of its device. */
function addressOf(side: Side): string {
  return `COALESCE(f.${side}_ip, p_${side}.ip_address)`;
}

/** The subnet node of a side: `subnet:<a.b.c.0/24 or /64>`, else its device node. */
export function subnetNodeOf(side: Side): string {
  return `COALESCE(a_${side}.subnet, p_${side}.subnet,
    CASE WHEN f.${side}_ip IS NOT NULL THEN 'subnet:' ||
      network(set_masklen(f.${side}_ip, CASE family(f.${side}_ip) WHEN 4 THEN 24 ELSE 64 END))::text END,
    ${deviceNodeOf(side)})`;
}

/** The VLAN a side's address was learnt on (non-IP: the frame's VLAN), or NULL (untagged). */
function vlanOf(side: Side): string {
  return `CASE WHEN f.${side}_ip IS NULL THEN f.vlan_id ELSE a_${side}.vlan_id END`;
}

/** The VLAN node of a side: `vlan:<id>`, `vlan:none` (untagged), or `external` (an address no device owns). */
export function vlanNodeOf(side: Side): string {
  return `CASE WHEN f.${side}_ip IS NOT NULL AND a_${side}.device_id IS NULL
    THEN 'external' ELSE 'vlan:' || COALESCE((${vlanOf(side)})::text, 'none') END`;
}

/**
 * The zone node of a side: `zone:<id>` of the most specific named zone that claims it (VLAN and
 * subnet, then the longest subnet, then VLAN only), else the default zone: its VLAN when tagged,
 * else its subnet; an address no device owns and no zone claims is `external`.
 */
export function zoneNodeOf(side: Side): string {
  const address = addressOf(side);
  const vlan = vlanOf(side);
  const external = `(f.${side}_ip IS NOT NULL AND a_${side}.device_id IS NULL)`;
  return `COALESCE(
    (SELECT 'zone:' || z.id FROM zones z
      WHERE (z.vlan_id IS NULL OR z.vlan_id = ${vlan}) AND (z.subnet IS NULL OR ${address} <<= z.subnet)
      ORDER BY (z.vlan_id IS NOT NULL AND z.subnet IS NOT NULL) DESC, masklen(z.subnet) DESC NULLS LAST, z.id
      LIMIT 1),
    CASE WHEN ${external} THEN 'external' WHEN (${vlan}) IS NOT NULL THEN 'vlan:' || (${vlan})::text
      ELSE ${subnetNodeOf(side)} END)`;
}

/** The group of a side at the Purdue level of its device: `purdue:<0-5>`, `purdue:none`, `external`. */
export function purdueNodeOf(side: Side): string {
  return `CASE WHEN (${deviceOf(side)}) IS NULL THEN 'external'
    ELSE 'purdue:' || COALESCE(l_${side}.purdue_level::text, 'none') END`;
}

/** The joins {@linkcode purdueNodeOf} and {@linkcode SKIPS_LEVELS_SQL} read (the devices of both sides). */
export const LEVEL_JOINS = `LEFT JOIN devices l_src ON l_src.id = (${deviceOf("src")})
  LEFT JOIN devices l_dst ON l_dst.id = (${deviceOf("dst")})`;

/**
 * True when a flow skips a Purdue level: one end at level 3 or above, or not an OT device (IT, an
 * external host), talks straight to a device at level 1 or 0.
 */
export const SKIPS_LEVELS_SQL = `((COALESCE(l_src.purdue_level, 4) >= 3 AND l_dst.purdue_level <= 1)
  OR (COALESCE(l_dst.purdue_level, 4) >= 3 AND l_src.purdue_level <= 1))`;
