/**
 * Office VLAN 10 activities: DHCP leases (full DORA) with host names, ARP (with one gratuitous
 * announcement), and the IPv6 printer's MLDv2 report and Neighbor Advertisements.
 *
 * @module
 */

import {
  DhcpPort,
  DhcpType,
  gratuitousArp,
  type IpFrame,
  MAC_BROADCAST,
  parseIpv4,
  parseIpv6,
  parseMac,
  writeArpFrame,
  writeDhcp,
  writeMldv2ReportFrame,
  writeNeighborAdvertisementFrame,
} from "../frames.ts";
import { PLANT_SCHEDULE } from "./ground_truth.ts";
import { arpExchange, device, jitter, type PlantContext, type PlantDevice } from "./context.ts";

const BROADCAST_IP = 0xffffffff;
const LEASE_SECONDS = 86400;
const WINDOWS_PRL = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];

/**
 * One DORA exchange: DISCOVER and REQUEST broadcast by the client, OFFER and ACK unicast by the server.
 *
 * @returns Time of the ACK.
 */
function dora(ctx: PlantContext, t: number, client: PlantDevice, server: PlantDevice): number {
  const { sink, rng } = ctx;
  const xid = rng.nextU32();
  const hostname = client.info.hostname ?? undefined;
  const common = { xid, clientMac: client.mac, hostname, vendorClass: "MSFT 5.0" };
  const offered = {
    xid,
    clientMac: client.mac,
    yiaddr: client.ip,
    serverId: server.ip,
    leaseSeconds: LEASE_SECONDS,
  };
  const options = {
    subnetMask: parseIpv4("255.255.255.0"),
    routers: [device("rtr-01").ip],
    dnsServers: [device("srv-dns-01").ip],
  };
  const fromClient: IpFrame = {
    eth: { dst: MAC_BROADCAST, src: client.mac, tags: client.tags },
    ip: { version: 4, src: 0, dst: BROADCAST_IP, ttl: 128 },
  };
  const fromServer: IpFrame = {
    eth: { dst: client.mac, src: server.mac, tags: server.tags },
    ip: { version: 4, src: server.ip, dst: client.ip, ttl: 128 },
  };
  const toServer = { srcPort: DhcpPort.CLIENT, dstPort: DhcpPort.SERVER };
  const toClient = { srcPort: DhcpPort.SERVER, dstPort: DhcpPort.CLIENT };
  sink.udp(
    t,
    fromClient,
    toServer,
    (b, o) => writeDhcp(b, o, { ...common, type: DhcpType.DISCOVER, parameterRequestList: WINDOWS_PRL }),
  );
  t += jitter(ctx, 0.002, 0.006);
  sink.udp(
    t,
    fromServer,
    toClient,
    (b, o) => writeDhcp(b, o, { ...offered, ...options, type: DhcpType.OFFER }),
  );
  t += jitter(ctx, 0.005, 0.02);
  sink.udp(t, fromClient, toServer, (b, o) =>
    writeDhcp(b, o, {
      ...common,
      secs: 1,
      type: DhcpType.REQUEST,
      requestedIp: client.ip,
      serverId: server.ip,
      parameterRequestList: WINDOWS_PRL,
    }));
  t += jitter(ctx, 0.002, 0.006);
  sink.udp(
    t,
    fromServer,
    toClient,
    (b, o) => writeDhcp(b, o, { ...offered, ...options, type: DhcpType.ACK }),
  );
  return t;
}

/**
 * Both workstations join: DORA, then ARP for the gateway and the DNS server, a refresh of the
 * gateway five minutes later; the first one announces its address with a gratuitous ARP.
 *
 * @param ctx Sink and randomness.
 */
export function officeLeases(ctx: PlantContext): void {
  const server = device("srv-dhcp-01");
  const gateway = device("rtr-01");
  const dns = device("srv-dns-01");
  for (const [id, at, announce] of [["ws-office-01", 3, true], ["ws-office-02", 95, false]] as const) {
    const ws = device(id);
    const acked = dora(ctx, at, ws, server);
    if (announce) {
      const eth = { dst: MAC_BROADCAST, src: ws.mac, tags: ws.tags };
      ctx.sink.emit(acked + 0.2, writeArpFrame(ctx.sink.buf, 0, eth, gratuitousArp(ws.mac, ws.ip)));
    }
    arpExchange(ctx, at + 1, ws, gateway);
    arpExchange(ctx, at + 1.5, ws, dns);
    arpExchange(ctx, at + 301, ws, gateway);
  }
}

/** Solicited-node multicast address of `address` (RFC 4291 §2.7.1): ff02::1:ff + its low 24 bits. */
function solicitedNode(address: Uint8Array): Uint8Array {
  const group = parseIpv6("ff02::1:ff00:0");
  group.set(address.subarray(13), 13);
  return group;
}

/**
 * The IPv6 printer: one MLDv2 report at start (joining its solicited-node groups, with a Hop-by-Hop
 * Router Alert), then an unsolicited Neighbor Advertisement of its global address every minute.
 *
 * @param ctx Sink and randomness.
 */
export function printerNdp(ctx: PlantContext): void {
  const printer = device("prn-office-01");
  const [linkLocal, global] = printer.info.ipv6.map(parseIpv6);
  const { sink } = ctx;
  const mldEth = { dst: parseMac("33:33:00:00:00:16"), src: printer.mac, tags: printer.tags };
  const groups = [solicitedNode(linkLocal), solicitedNode(global)];
  sink.emit(0.2, writeMldv2ReportFrame(sink.buf, 0, mldEth, linkLocal, groups));
  const naEth = { dst: parseMac("33:33:00:00:00:01"), src: printer.mac, tags: printer.tags };
  const ip = { version: 6 as const, src: linkLocal, dst: parseIpv6("ff02::1") };
  for (
    let t = PLANT_SCHEDULE.ndpPeriod / 2;
    t < PLANT_SCHEDULE.durationSeconds;
    t += PLANT_SCHEDULE.ndpPeriod
  ) {
    const at = t + jitter(ctx, 0, 0.5);
    sink.emit(
      at,
      writeNeighborAdvertisementFrame(sink.buf, 0, naEth, ip, { target: global, targetMac: printer.mac }),
    );
  }
}
