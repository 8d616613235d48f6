/**
 * The inventory document: what `analyze --json` prints and what storage persists. Field names
 * follow the seed schema's columns (snake_case) so the JSON, the CSV files and the database agree.
 * Times are ISO 8601 strings in UTC.
 *
 * @module
 */

import type { DeviceClass } from "./identify/classify.ts";
import type { DisplayName } from "./identify/display_name.ts";
import type { DhcpReport } from "./identify/dhcp_types.ts";
import type { OtAsset } from "./identify/ot_roles.ts";

/** One IP address of a device, on one VLAN (`device_ips`). */
export interface DeviceIp {
  ip_address: string;
  ip_version: 4 | 6;
  vlan_id: number | null;
  outer_vlan_id: number | null;
  first_seen: string;
  last_seen: string;
  packets_sent: number;
  bytes_sent: number;
  packets_received: number;
  bytes_received: number;
  /** How the binding was learnt: `traffic` (source of frames), `arp`, `ndp`, `dhcp`. */
  learnt_from: string[];
}

/** A VLAN a device was seen on. */
export interface VlanRef {
  vlan_id: number;
  outer_vlan_id: number | null;
}

/** A device, keyed by MAC (`devices`). */
export interface Device {
  mac_address: string;
  /** First three octets, upper case, colon-separated (the spec's CHAR(8)). */
  oui_prefix: string;
  /** Registered organisation of the MAC's OUI (IEEE registry), or null (unknown or locally administered). */
  oui_vendor: string | null;
  /** The MAC has the locally administered bit set (randomised or virtual): no vendor can be inferred. */
  locally_administered: boolean;
  first_seen: string;
  last_seen: string;
  total_packets_sent: number;
  total_packets_received: number;
  total_bytes_sent: number;
  total_bytes_received: number;
  is_gateway: boolean;
  /** Why the gateway flag is set (empty when it is not). */
  gateway_reasons: string[];
  ips: DeviceIp[];
  vlans: VlanRef[];
}

/**
 * A device keyed by IP: a host seen only on link types without MAC addresses (raw IP, BSD
 * loopback). Not stored in the database, which keys devices by MAC (aggregator/derive_ip_devices.ts).
 */
export interface IpDevice {
  /** Marks the key: the address, since the link gave no MAC. */
  keyed_by: "ip";
  ip_address: string;
  ip_version: 4 | 6;
  first_seen: string;
  last_seen: string;
  total_packets_sent: number;
  total_packets_received: number;
  total_bytes_sent: number;
  total_bytes_received: number;
}

/** A unidirectional flow (`traffic_flows`). */
export interface Flow {
  id: number;
  src_mac: string | null;
  dst_mac: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  src_port: number | null;
  dst_port: number | null;
  vlan_id: number | null;
  outer_vlan_id: number | null;
  ethertype: number | null;
  ip_protocol: number | null;
  /** Application protocol: the dissector that owns the flow, else a port-based guess, else null. */
  application: string | null;
  /** `dissector` when a dissector decoded the payload, `port` for a guess from a well-known port. */
  application_source: "dissector" | "port" | null;
  first_seen: string;
  last_seen: string;
  packet_count: number;
  byte_count: number;
  tcp_flags_seen: number | null;
  tcp_syn_count: number;
  tcp_rst_count: number;
  tcp_fin_count: number;
}

/** An identity heard about a device (`identity_attributes`): a hostname, a vendor, a model… */
export interface IdentityFact {
  /** Dotted identity key (`hostname`, `lldp.system_name`…). */
  key: string;
  /** The value as heard. */
  value: string;
  /** 0–100, as the dissector rated it. */
  confidence: number;
  /** The MAC it is about, or null. */
  mac: string | null;
  /** The IP it is about, or null. */
  ip: string | null;
  /** VLAN of the frame it was heard in, or null. */
  vlan_id: number | null;
  /** Dissector that reported it (`dhcp`, `lldp`, `mdns`…). */
  source: string;
  /** First time heard (ISO 8601). */
  first_seen: string;
  /** Last time heard (ISO 8601). */
  last_seen: string;
  /** Times heard. */
  count: number;
}

/** A protocol event or anomaly (`protocol_events`), aggregated over identical occurrences. */
export interface EventFact {
  /** Event type, e.g. `dhcp.ack`. */
  type: string;
  /** Dissector that reported it. */
  source: string;
  /** The MAC it is about (for DHCP: the client), or null. */
  mac: string | null;
  /** The IP it is about, or null. */
  ip: string | null;
  /** Source MAC of the frame. */
  src_mac: string | null;
  /** Source IP of the packet. */
  src_ip: string | null;
  /** Destination MAC of the frame. */
  dst_mac: string | null;
  /** Destination IP of the packet. */
  dst_ip: string | null;
  /** info, notice, warning or critical. */
  severity: string;
  /** `event` or `anomaly`. */
  kind: string;
  /** VLAN of the frame, or null. */
  vlan_id: number | null;
  /** The event's fields (for DHCP: xid, client_mac, your_ip, server…). */
  fields: Record<string, string | number | boolean>;
  /** First occurrence (ISO 8601). */
  first_seen: string;
  /** Last occurrence (ISO 8601). */
  last_seen: string;
  /** Occurrences. */
  count: number;
}

/** A VLAN (`vlans`). */
export interface Vlan {
  vlan_id: number;
  outer_vlan_id: number | null;
  device_count: number;
  first_seen: string;
  last_seen: string;
  total_packets: number;
  total_bytes: number;
}

/** One line of a protocol distribution. */
export interface ProtocolShare {
  /** EtherType, IP protocol number, or application name. */
  id: number | string;
  name: string;
  flows: number;
  packets: number;
  bytes: number;
}

/** Protocol distributions. */
export interface ProtocolDistribution {
  ethertypes: ProtocolShare[];
  ip_protocols: ProtocolShare[];
  applications: ProtocolShare[];
}

/** One per-minute bucket (`traffic_metrics`). */
export interface Metric {
  time: string;
  bucket_seconds: number;
  metric_type: "flow" | "device_in" | "device_out";
  /** Flow id for `flow` rows. */
  flow_id: number | null;
  /** Device MAC for `device_*` rows. */
  device_mac: string | null;
  packet_count: number;
  byte_count: number;
  avg_packet_size: number;
  min_packet_size: number;
  max_packet_size: number;
  tcp_syn_count: number;
  tcp_rst_count: number;
  tcp_fin_count: number;
}

/** A device ranked by traffic. */
export interface TopTalker {
  mac_address: string;
  ips: string[];
  bytes: number;
  packets: number;
}

/** The whole inventory. */
export interface InventoryDocument {
  netsentinel: { version: string; generated_at: string };
  /** What was analysed (file or interfaces); filled by the caller. */
  source: Record<string, unknown>;
  summary: {
    packets: number;
    bytes: number;
    first_seen: string | null;
    last_seen: string | null;
    /** Devices keyed by MAC. */
    devices: number;
    /** Devices keyed by IP (no MAC on their link); absent in documents read back from storage. */
    ip_devices?: number;
    flows: number;
    vlans: number;
    malformed: number;
    truncated: number;
  };
  devices: Device[];
  /** Hosts of frames without MAC addresses, keyed by IP; absent in documents read back from storage. */
  ip_devices?: IpDevice[];
  flows: Flow[];
  vlans: Vlan[];
  protocols: ProtocolDistribution;
  top_talkers: TopTalker[];
  identities: IdentityFact[];
  events: EventFact[];
  metrics: Metric[];
  /** Device type, OS family and the reasons, per device (aggregator/identify/classify.ts). */
  classification?: DeviceClass[];
  /** Display name per device MAC, with the source that gave it (aggregator/identify/display_name.ts). */
  display_names?: Record<string, DisplayName>;
  /** DHCP leases, IP history, pools, conflicts and rogue servers (aggregator/identify/dhcp_tracker.ts). */
  dhcp?: DhcpReport;
  /** Devices with an OT role, protocol or fact: role, Purdue level, facts, children (identify/ot_roles.ts). */
  ot_assets?: OtAsset[];
  /** Counters per sensor (`local` for a file or the all-in-one appliance). */
  stats: Record<string, SensorCounters>;
}

/** Engine counters of one sensor, as reported. */
export interface SensorCounters {
  packets: number;
  bytes: number;
  truncated: number;
  malformed: number;
  fragments: number;
  unsupported_link_type: number;
  unaccounted: number;
  /** Identities and events not recorded: a flush held the most allowed (100 000 of each). */
  observations_dropped: number;
  /** TCP segments recognised as retransmissions: accounted in flows, not decoded again. */
  tcp_retransmissions: number;
  /** TCP segments joined behind the start of a PDU split over segments. */
  tcp_reassembled: number;
  /** PDUs split over segments that were given up (the rest never came in sequence, too long, a flush). */
  tcp_reassembly_dropped: number;
  /** Frames a drop-in plugin did not get to decode (its worker stopped by the watchdog, or restarting). */
  plugin_frames_lost?: number;
  /** Values of drop-in plugins cut to the size limit. */
  observations_cut?: number;
  /** Early flushes of a full flow table (`[dissectors] max_flows`). */
  flow_table_flushes: number;
  /** Throws per dissector name (only dissectors that threw). */
  dissector_errors: Record<string, number>;
  /** Malformed verdicts per dissector name. */
  dissector_malformed: Record<string, number>;
  disabled_dissectors: { name: string; reason: string }[];
  /** The first problems met, with their frame numbers. */
  problems: string[];
}
