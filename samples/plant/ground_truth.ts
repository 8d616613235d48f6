/**
 * What the plant sample contains, stated independently of the generator, so that tests (and
 * NetSentinel's own inventory tests) can compare what is decoded from the capture with what was put in.
 *
 * @module
 */

/** Role of a device of the plant. */
export type PlantRole =
  | "switch"
  | "router"
  | "dhcp-server"
  | "dns-server"
  | "workstation"
  | "printer"
  | "hmi"
  | "plc"
  | "engineering-workstation";

/** One device of the plant, as a passive observer can learn it from the capture. */
export interface PlantHost {
  /** Stable identifier used by the generator ("plc-01"). */
  readonly id: string;
  /** What the device is. */
  readonly role: PlantRole;
  /** MAC address, lowercase colon-separated. */
  readonly mac: string;
  /** Vendor of the MAC's OUI, as Wireshark's `manuf` file abbreviates it. */
  readonly vendor: string;
  /** IPv4 address, or null when the device uses none. */
  readonly ip: string | null;
  /** IPv6 addresses heard (link-local first). */
  readonly ipv6: readonly string[];
  /** 802.1Q VLAN (the inner C-VLAN for QinQ traffic); null when untagged. */
  readonly vlan: number | null;
  /** 802.1ad S-VLAN of every frame when the device sits behind the QinQ trunk, else null. */
  readonly outerVlan: number | null;
  /** Host name as heard on the wire, or null. */
  readonly hostname: string | null;
  /** Protocol that reveals the host name. */
  readonly hostnameSource: "dhcp" | "lldp" | null;
}

/** Timing of the periodic activities (seconds from the start of the capture). */
export const PLANT_SCHEDULE = {
  durationSeconds: 600,
  lldpPeriod: 30,
  stpPeriod: 2,
  ndpPeriod: 60,
  plc1: { first: 3, period: 1, address: 0, quantity: 10 },
  plc2: { first: 3.5, period: 2, address: 100, quantity: 20 },
  write: { at: 360, address: 10, value: 1200 },
} as const;

/** Polls at `first`, `first + period`, … while before the capture's last second. */
function pollCount(first: number, period: number): number {
  return Math.ceil((PLANT_SCHEDULE.durationSeconds - 1 - first) / period);
}

const PLC1_POLLS = pollCount(PLANT_SCHEDULE.plc1.first, PLANT_SCHEDULE.plc1.period);
const PLC2_POLLS = pollCount(PLANT_SCHEDULE.plc2.first, PLANT_SCHEDULE.plc2.period);
const LLDP_PER_SWITCH = PLANT_SCHEDULE.durationSeconds / PLANT_SCHEDULE.lldpPeriod;

/** The devices of the plant. */
export const PLANT_HOSTS: readonly PlantHost[] = [
  host("sw-office-01", "switch", "00:1e:13:a1:10:01", "Cisco", "10.10.10.250", null, "sw-office-01", "lldp"),
  host("sw-ot-01", "switch", "00:80:63:b2:20:01", "RichardH", "10.20.20.250", null, "sw-ot-01", "lldp"),
  host("rtr-01", "router", "00:1b:54:c0:0a:01", "Cisco", "10.10.10.1", 10),
  host("srv-dhcp-01", "dhcp-server", "18:66:da:3e:10:02", "Dell", "10.10.10.2", 10),
  host("srv-dns-01", "dns-server", "18:66:da:3e:10:03", "Dell", "10.10.10.3", 10),
  host(
    "ws-office-01",
    "workstation",
    "3c:d9:2b:5a:10:21",
    "HewlettP",
    "10.10.10.101",
    10,
    "WS-OFFICE-01",
    "dhcp",
  ),
  host(
    "ws-office-02",
    "workstation",
    "f8:bc:12:7c:10:22",
    "Dell",
    "10.10.10.102",
    10,
    "WS-OFFICE-02",
    "dhcp",
  ),
  {
    ...host("prn-office-01", "printer", "00:1b:78:2d:10:40", "HewlettP", null, 10),
    ipv6: ["fe80::21b:78ff:fe2d:1040", "2001:db8:10::40"],
  },
  host("hmi-01", "hmi", "00:1b:1b:4e:20:10", "Siemens", "10.20.20.10", 20),
  host("plc-01", "plc", "00:80:f4:6c:20:21", "Telemech", "10.20.20.21", 20),
  { ...host("plc-02", "plc", "00:30:de:4a:20:22", "WAGOKont", "10.20.20.22", 20), outerVlan: 200 },
  host("ews-01", "engineering-workstation", "a4:bb:6d:1e:20:30", "Dell", "10.20.20.30", 20),
];

function host(
  id: string,
  role: PlantRole,
  mac: string,
  vendor: string,
  ip: string | null,
  vlan: number | null,
  hostname: string | null = null,
  hostnameSource: "dhcp" | "lldp" | null = null,
): PlantHost {
  return { id, role, mac, vendor, ip, ipv6: [], vlan, outerVlan: null, hostname, hostnameSource };
}

/** Names resolved by the DNS server, with the A records of each answer. */
export const PLANT_DNS: readonly { readonly name: string; readonly addresses: readonly string[] }[] = [
  { name: "www.example.com", addresses: ["203.0.113.10"] },
  { name: "portal.example.net", addresses: ["198.51.100.20"] },
  { name: "updates.example.com", addresses: ["203.0.113.45", "203.0.113.46"] },
  { name: "cdn.example.net", addresses: ["192.0.2.80"] },
  { name: "mail.example.org", addresses: ["198.51.100.25"] },
  { name: "telemetry.example.org", addresses: ["198.51.100.77"] },
];

/** Browsing sessions of the workstations: start second, client, name, HTTP or TLS, response size. */
export const PLANT_BROWSING: readonly {
  readonly at: number;
  readonly client: string;
  readonly name: string;
  readonly tls: boolean;
  readonly responseBytes: number;
}[] = [
  { at: 10, client: "ws-office-01", name: "www.example.com", tls: false, responseBytes: 5120 },
  { at: 62, client: "ws-office-01", name: "portal.example.net", tls: true, responseBytes: 7300 },
  { at: 101, client: "ws-office-02", name: "portal.example.net", tls: true, responseBytes: 4380 },
  { at: 151, client: "ws-office-01", name: "updates.example.com", tls: true, responseBytes: 14600 },
  { at: 204, client: "ws-office-02", name: "www.example.com", tls: false, responseBytes: 2048 },
  { at: 305, client: "ws-office-01", name: "cdn.example.net", tls: false, responseBytes: 8760 },
  { at: 333, client: "ws-office-02", name: "cdn.example.net", tls: true, responseBytes: 2920 },
  { at: 423, client: "ws-office-01", name: "mail.example.org", tls: true, responseBytes: 5840 },
  { at: 462, client: "ws-office-02", name: "updates.example.com", tls: false, responseBytes: 3000 },
  { at: 541, client: "ws-office-01", name: "telemetry.example.org", tls: true, responseBytes: 1460 },
  { at: 575, client: "ws-office-02", name: "mail.example.org", tls: true, responseBytes: 4380 },
];

/** Shape of {@linkcode PLANT_GROUND_TRUTH}. */
export interface PlantGroundTruth {
  /** Timestamp of the first frame's second, ISO 8601. */
  readonly startTime: string;
  /** Capture time span. */
  readonly durationSeconds: number;
  /** Every device. */
  readonly hosts: readonly PlantHost[];
  /** 802.1Q VLAN ids heard. */
  readonly vlans: readonly number[];
  /** The QinQ trunk's tags, and the hosts whose frames cross it (PLC 2 always, the HMI when polling it). */
  readonly qinq: { readonly outer: number; readonly inner: number; readonly hosts: readonly string[] };
  /** The router MAC and the off-subnet IPv4 addresses seen behind it. */
  readonly router: { readonly mac: string; readonly offSubnetIps: readonly string[] };
  /** Leases handed out by full DORA exchanges. */
  readonly dhcpLeases: readonly { readonly mac: string; readonly ip: string; readonly hostname: string }[];
  /** DNS answers. */
  readonly dnsAnswers: typeof PLANT_DNS;
  /** LLDP system names, one per switch. */
  readonly lldpSystemNames: readonly string[];
  /** Modbus/TCP PDUs by function code. */
  readonly modbus: {
    readonly readRequests: number;
    readonly readResponses: number;
    readonly writeRequests: number;
    readonly writeResponses: number;
    /** Who writes to which PLC. */
    readonly write: {
      readonly from: string;
      readonly to: string;
      readonly address: number;
      readonly value: number;
    };
  };
  /** Frame counts, by protocol as tshark names the top layer, and in total. */
  readonly frames: {
    readonly total: number;
    readonly lldp: number;
    readonly stp: number;
    readonly dhcp: number;
    readonly dns: number;
    readonly arp: number;
    readonly gratuitousArp: number;
    readonly neighborAdvertisements: number;
    readonly mldReports: number;
    readonly modbus: number;
    readonly qinq: number;
  };
}

/** The ground truth of {@linkcode PLANT_HOSTS}' traffic in the plant sample. */
export const PLANT_GROUND_TRUTH: PlantGroundTruth = {
  startTime: "2024-06-11T08:00:00.000Z",
  durationSeconds: PLANT_SCHEDULE.durationSeconds,
  hosts: PLANT_HOSTS,
  vlans: [10, 20],
  qinq: { outer: 200, inner: 20, hosts: ["hmi-01", "plc-02"] },
  router: {
    mac: "00:1b:54:c0:0a:01",
    offSubnetIps: [
      "203.0.113.10",
      "198.51.100.20",
      "203.0.113.45",
      "192.0.2.80",
      "198.51.100.25",
      "198.51.100.77",
    ],
  },
  dhcpLeases: [
    { mac: "3c:d9:2b:5a:10:21", ip: "10.10.10.101", hostname: "WS-OFFICE-01" },
    { mac: "f8:bc:12:7c:10:22", ip: "10.10.10.102", hostname: "WS-OFFICE-02" },
  ],
  dnsAnswers: PLANT_DNS,
  lldpSystemNames: ["sw-office-01", "sw-ot-01"],
  modbus: {
    readRequests: PLC1_POLLS + PLC2_POLLS + 1,
    readResponses: PLC1_POLLS + PLC2_POLLS + 1,
    writeRequests: 1,
    writeResponses: 1,
    write: { from: "10.20.20.30", to: "10.20.20.21", address: 10, value: 1200 },
  },
  frames: {
    total: 2371,
    lldp: 2 * LLDP_PER_SWITCH,
    stp: PLANT_SCHEDULE.durationSeconds / PLANT_SCHEDULE.stpPeriod,
    dhcp: 8,
    dns: 2 * PLANT_BROWSING.length,
    arp: 19,
    gratuitousArp: 1,
    neighborAdvertisements: PLANT_SCHEDULE.durationSeconds / PLANT_SCHEDULE.ndpPeriod,
    mldReports: 1,
    modbus: 2 * (PLC1_POLLS + PLC2_POLLS + 2),
    qinq: 2 + 3 + 2 * PLC2_POLLS,
  },
};
