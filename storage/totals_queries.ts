/**
 * The read-back queries of {@linkcode readTotals} (storage/totals.ts), one per table. Counters are
 * read as float8 (postgres.js returns bigint as text, PGlite as a number) and times as µs since the
 * epoch, so both drivers give the same JavaScript values.
 *
 * @module
 */

/** µs since the epoch of a timestamptz column, exactly. */
function us(column: string, alias = column): string {
  return `(extract(epoch FROM ${column}) * 1000000)::float8 AS ${alias}`;
}

/** Devices, with their gateway reasons as one text (newline-separated). */
export const DEVICES = `
SELECT id::float8 AS id, mac_address::text AS mac, oui_prefix, oui_vendor, locally_administered, ${
  us("first_seen")
},
  ${us("last_seen")}, total_packets_sent::float8 AS ps, total_packets_received::float8 AS pr,
  total_bytes_sent::float8 AS bs, total_bytes_received::float8 AS br, is_gateway,
  array_to_string(gateway_reasons, E'\\n') AS reasons
FROM devices`;

/**
 * The addresses of devices (learnt_from not empty), with what they sent and received: the inventory
 * credits received traffic to every address a device is known by, from its traffic or an ARP/NDP/DHCP
 * binding (aggregator/derive_devices.ts); traffic to addresses it is not known by stays in rows with an
 * empty learnt_from, which are not addresses of the device.
 */
export const ADDRESSES = `
SELECT device_id::float8 AS device_id, host(ip_address) AS ip, ip_version, vlan_id, outer_vlan_id,
  ${us("first_seen")}, ${us("last_seen")}, packets_sent::float8 AS ps, bytes_sent::float8 AS bs,
  packets_received::float8 AS pr, bytes_received::float8 AS br,
  array_to_string(learnt_from, ',') AS learnt
FROM device_ips WHERE cardinality(learnt_from) > 0`;

/** VLAN memberships of devices. */
export const DEVICE_VLANS = `
SELECT device_id::float8 AS device_id, vlan_id, outer_vlan_id FROM device_vlans
ORDER BY vlan_id, COALESCE(outer_vlan_id, -1)`;

/** Flows in order of creation. */
export const FLOWS = `
SELECT id::float8 AS id, src_mac::text AS src_mac, host(src_ip) AS src_ip, src_port, dst_mac::text AS dst_mac,
  host(dst_ip) AS dst_ip, dst_port, vlan_id, outer_vlan_id, ethertype, ip_protocol, application,
  application_source, ${us("first_seen")}, ${us("last_seen")}, packet_count::float8 AS packets,
  byte_count::float8 AS bytes, tcp_flags_seen, tcp_syn_count::float8 AS syn, tcp_rst_count::float8 AS rst,
  tcp_fin_count::float8 AS fin
FROM traffic_flows ORDER BY id`;

/** VLANs by id then outer id. */
export const VLANS = `
SELECT vlan_id, outer_vlan_id, device_count, ${us("first_seen")}, ${us("last_seen")},
  total_packets::float8 AS packets, total_bytes::float8 AS bytes
FROM vlans ORDER BY vlan_id, COALESCE(outer_vlan_id, -1)`;

/** Identity attributes. */
export const IDENTITIES = `
SELECT key, value, confidence, mac_address::text AS mac, host(ip_address) AS ip, vlan_id, source,
  count::float8 AS count, ${us("first_seen")}, ${us("last_seen")}
FROM identity_attributes ORDER BY id`;

/**
 * Protocol events merged across flushes the way the inventory merges them (severity and source are
 * not part of an event's identity: the first heard wins).
 */
export const EVENTS = `
SELECT type, kind, (array_agg(severity ORDER BY time))[1] AS severity, (array_agg(source ORDER BY time))[1] AS source,
  mac_address::text AS mac, host(ip_address) AS ip, src_mac::text AS src_mac, dst_mac::text AS dst_mac,
  host(src_ip) AS src_ip, host(dst_ip) AS dst_ip, vlan_id, fields::text AS fields, sum(count)::float8 AS count,
  ${us("min(time)", "first_seen")}, ${us("max(last_seen)", "last_seen")}
FROM protocol_events
GROUP BY type, kind, mac_address, ip_address, src_mac, dst_mac, src_ip, dst_ip, vlan_id, fields
ORDER BY min(time)`;

/** Per-minute buckets, device rows with their MAC. */
export const METRICS = `
SELECT ${us("m.time", "time")}, m.bucket_seconds, m.metric_type, m.flow_id::float8 AS flow_id,
  d.mac_address::text AS mac, m.packet_count::float8 AS packets, m.byte_count::float8 AS bytes,
  m.min_packet_size, m.max_packet_size, m.tcp_syn_count, m.tcp_rst_count, m.tcp_fin_count
FROM traffic_metrics m LEFT JOIN devices d ON d.id = m.device_id
ORDER BY m.time, m.metric_type, m.flow_id, d.mac_address`;

/** Latest engine counters of each sensor boot. */
export const SENSOR_BOOTS = `
SELECT sensor_id, boot, stats::text AS stats FROM sensor_boots ORDER BY sensor_id, first_seen`;
