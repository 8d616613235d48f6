/**
 * Shapes of the DHCP tracker's report ({@linkcode DhcpReport}); see `dhcp_tracker.ts`.
 *
 * @module
 */

/** State of a lease after the last message seen about it. */
export type LeaseState = "offered" | "bound" | "released" | "declined" | "nak";

/** One lease: a client MAC and the address a server gave it. */
export interface DhcpLease {
  /** Client hardware address (`chaddr`). */
  mac: string;
  /** Leased (or offered, declined…) IPv4 address. */
  ip: string;
  /** Host name the client sent (option 12), else the one the server offered, else null. */
  hostname: string | null;
  /** Lease time (option 51) of the last OFFER/ACK, or null. */
  lease_seconds: number | null;
  /** Server identifier (option 54) of the last OFFER/ACK, or null. */
  server: string | null;
  /** Relay agent (`giaddr`) of the last OFFER/ACK, or null when the server is on the link. */
  relay: string | null;
  /** First message about this lease (ISO 8601). */
  first_seen: string;
  /** Last message about this lease (ISO 8601). */
  last_seen: string;
  /** State after the last message. */
  state: LeaseState;
  /** ACKs to a client already holding the address (renewals and rebinds). */
  renewals: number;
}

/** One address a MAC held, over a time span. */
export interface IpHistoryEntry {
  /** The address. */
  ip: string;
  /** First time the MAC was seen with the address (ISO 8601). */
  from: string;
  /** Last time the MAC was seen with the address (ISO 8601). */
  to: string;
  /** Where the binding was learnt: `dhcp` (a lease), `arp`. */
  sources: string[];
}

/** Addresses leased in one subnet. */
export interface DhcpPool {
  /** Subnet of the leases (`a.b.c.d/len`, from the subnet mask option 1, else /24). */
  subnet: string;
  /** Servers that offered or acknowledged addresses in it. */
  servers: string[];
  /** Relay agents the leases came through. */
  relays: string[];
  /** Addresses in the `bound` state, sorted. */
  addresses: string[];
  /** Number of addresses in `addresses`. */
  leased: number;
}

/** One IP claimed by two MACs within the window. */
export interface IpConflict {
  /** The contested address. */
  ip: string;
  /** The two MACs, in the order they claimed the address. */
  macs: [string, string];
  /** What each claim rests on, e.g. `aa:…: arp 2026-…Z → 2026-…Z`, and DECLINEs seen. */
  evidence: string[];
  /** When the second claim started (ISO 8601). */
  detected_at: string;
}

/** A DHCP server that should not be answering. */
export interface RogueServer {
  /** Server identifier (option 54), else the source IP of its answers. */
  server: string;
  /** Its MAC when it answered directly (not through a relay), else null. */
  mac: string | null;
  /** Subnets it handed addresses in. */
  subnets: string[];
  /** Why it is listed. */
  reason: string;
  /** OFFER/ACK messages seen from it. */
  messages: number;
  /** First answer seen (ISO 8601). */
  first_seen: string;
  /** Last answer seen (ISO 8601). */
  last_seen: string;
}

/** The tracker's whole state. */
export interface DhcpReport {
  /** Every lease seen, oldest first. */
  leases: DhcpLease[];
  /** Per MAC, the addresses it held, oldest first. */
  ip_history: Record<string, IpHistoryEntry[]>;
  /** Pool usage per subnet. */
  pools: DhcpPool[];
  /** IPs claimed by two MACs within the window, by detection time. */
  conflicts: IpConflict[];
  /** Servers that should not be answering, by address. */
  rogue_servers: RogueServer[];
}

/** Options of {@linkcode trackDhcp}. */
export interface DhcpTrackerOptions {
  /** Allowed DHCP servers, by server identifier (option 54; the source IP when an answer has none). */
  allowedServers?: string[];
  /** Two claims of one IP by different MACs less than this apart conflict (default 300 s). */
  conflictWindowSeconds?: number;
}
