/**
 * Network interfaces as seen by a capture, from `pcap_findalldevs`: names, flags (up, running,
 * loopback), IPv4/IPv6 addresses, and from each interface's AF_PACKET address (what the kernel
 * reports through getifaddrs) its ARPHRD type, hence the link type a capture gives, and its MAC.
 *
 * Only `--allow-ffi` is needed. /sys/class/net would say the same, but Deno 2 lets a program read
 * /sys and /proc only with `--allow-all`, which the capture worker must never have.
 *
 * @module
 */

import { ipAt } from "../model/address.ts";
import { LinkType } from "./batch.ts";
import {
  fromCString,
  LibpcapUnavailableError,
  type LiveLibpcap,
  loadLiveLibpcap,
  PCAP_ERRBUF_SIZE,
} from "./libpcap/ffi.ts";
import { LiveCaptureError } from "./live/protocol.ts";

/** One address of an interface. */
export interface InterfaceAddress {
  /** Address family. */
  family: "ipv4" | "ipv6";
  /** The address as text. */
  address: string;
  /** Prefix length from the netmask, or null when libpcap gives none. */
  prefixLength: number | null;
}

/** One interface, as listed by {@linkcode listInterfaces}. */
export interface InterfaceInfo {
  /** Interface name, e.g. `eth0`. */
  name: string;
  /** LINKTYPE_* value a capture on it is expected to give (libpcap's mapping of the ARPHRD type). */
  linkType: number;
  /** LINKTYPE_* name without the prefix, e.g. `ETHERNET`. */
  linkTypeName: string;
  /** ARPHRD_* type (null for `any`). */
  arphrd: number | null;
  /** Hardware address, or null when it has none (loopback, tunnels). */
  mac: string | null;
  /** IPv4 and IPv6 addresses. */
  addresses: InterfaceAddress[];
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Up with a carrier (IFF_RUNNING). */
  running: boolean;
  /** The loopback interface. */
  loopback: boolean;
  /** Up, and its frames are of a link type NetSentinel decodes. */
  capturable: boolean;
  /** Why it is not capturable, when it is not. */
  reason?: string;
}

const PCAP_IF_LOOPBACK = 0x1;
const PCAP_IF_UP = 0x2;
const PCAP_IF_RUNNING = 0x4;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_PACKET = 17;
const DECODED = new Set<number>(Object.values(LinkType));

/** ARPHRD type → [LINKTYPE, name], following libpcap's mapping on Linux; others are captured "cooked". */
const ARPHRD_LINK_TYPES = new Map<number, [number, string]>([
  [1, [LinkType.ETHERNET, "ETHERNET"]],
  [772, [LinkType.ETHERNET, "ETHERNET"]], // loopback: libpcap gives a fake Ethernet header
  [65534, [LinkType.RAW, "RAW"]], // ARPHRD_NONE: tun devices
  [512, [LinkType.LINUX_SLL, "LINUX_SLL"]], // PPP
  [801, [105, "IEEE802_11"]],
  [802, [119, "IEEE802_11_PRISM"]],
  [803, [127, "IEEE802_11_RADIOTAP"]],
  [280, [227, "CAN_SOCKETCAN"]],
]);

/**
 * The LINKTYPE a capture on an interface of ARPHRD type `arphrd` gives.
 *
 * @returns the LINKTYPE value and its name
 */
export function linkTypeOfArphrd(arphrd: number): { linkType: number; name: string } {
  const known = ARPHRD_LINK_TYPES.get(arphrd) ?? [LinkType.LINUX_SLL, "LINUX_SLL"];
  return { linkType: known[0], name: known[1] };
}

/** One entry of `pcap_findalldevs`. */
export interface LibpcapDevice {
  /** Device name. */
  name: string;
  /** PCAP_IF_* flags. */
  flags: number;
  /** PCAP_IF_UP. */
  up: boolean;
  /** PCAP_IF_RUNNING. */
  running: boolean;
  /** PCAP_IF_LOOPBACK. */
  loopback: boolean;
  /** ARPHRD_* type from the AF_PACKET address, or null for pseudo-devices (`any`, nflog, usbmon…). */
  arphrd: number | null;
  /** Hardware address (6 bytes, not all zero), or null. */
  mac: string | null;
  /** IPv4 and IPv6 addresses. */
  addresses: InterfaceAddress[];
}

/** Leading one bits of a netmask in `bytes[from, to)`. */
function prefixLength(bytes: Uint8Array, from: number, to: number): number {
  let bits = 0;
  for (let i = from; i < to && bits === (i - from) * 8; i++) bits += Math.clz32(~(bytes[i] << 24));
  return bits;
}

/**
 * Loads libpcap's live-capture functions, with the errors a user can act on.
 *
 * @throws {LiveCaptureError} code "libpcap-missing" (names the Debian package) or "ffi-denied"
 */
export function loadCaptureLibrary(): LiveLibpcap {
  try {
    return loadLiveLibpcap();
  } catch (error) {
    if (error instanceof LibpcapUnavailableError) {
      throw new LiveCaptureError("libpcap-missing", error.message, { cause: error });
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new LiveCaptureError(
        "ffi-denied",
        "Cannot load libpcap: the capture code has no FFI permission (run Deno with --allow-ffi)",
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The devices libpcap can open, with their flags, addresses, and (from their AF_PACKET address,
 * `struct sockaddr_ll`) ARPHRD type and MAC. Needs `--allow-ffi` only: /sys and /proc need
 * `--allow-all` in Deno 2, which the capture worker must not have.
 *
 * @throws {LiveCaptureError} code "libpcap-missing" or "capture-failed"
 */
export function libpcapDevices(): LibpcapDevice[] {
  const pcap = loadCaptureLibrary();
  const out = new BigUint64Array(1);
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  if (pcap.pcap_findalldevs(out, errbuf) !== 0) {
    throw new LiveCaptureError("capture-failed", `Cannot list the interfaces: ${fromCString(errbuf)}`);
  }
  const devices: LibpcapDevice[] = [];
  const first = Deno.UnsafePointer.create(out[0]);
  try {
    // struct pcap_if: next @0, name @8, description @16, addresses @24, flags @32.
    for (let entry = first; entry !== null;) {
      const view = new Deno.UnsafePointerView(entry);
      const flags = view.getUint32(32);
      const device: LibpcapDevice = {
        name: Deno.UnsafePointerView.getCString(view.getPointer(8)!),
        flags,
        up: (flags & PCAP_IF_UP) !== 0,
        running: (flags & PCAP_IF_RUNNING) !== 0,
        loopback: (flags & PCAP_IF_LOOPBACK) !== 0,
        arphrd: null,
        mac: null,
        addresses: [],
      };
      // struct pcap_addr: next @0, addr @8, netmask @16.
      for (let address = view.getPointer(24); address !== null;) {
        const addressView = new Deno.UnsafePointerView(address);
        readAddress(device, addressView.getPointer(8), addressView.getPointer(16));
        address = addressView.getPointer(0);
      }
      devices.push(device);
      entry = view.getPointer(0);
    }
  } finally {
    pcap.pcap_freealldevs(first);
  }
  return devices;
}

/** Adds what a `struct sockaddr` (and its netmask) says to `device`. */
function readAddress(device: LibpcapDevice, pointer: Deno.PointerValue, mask: Deno.PointerValue): void {
  if (pointer === null) return;
  const view = new Deno.UnsafePointerView(pointer);
  const family = view.getUint16(0);
  if (family === AF_PACKET) {
    // struct sockaddr_ll: hatype @8, halen @11, addr[8] @12.
    device.arphrd = view.getUint16(8);
    const bytes = new Uint8Array(8);
    view.copyInto(bytes, 12);
    if (view.getUint8(11) === 6 && bytes.subarray(0, 6).some((byte) => byte !== 0)) {
      device.mac = [...bytes.subarray(0, 6)].map((byte) => byte.toString(16).padStart(2, "0")).join(":");
    }
    return;
  }
  if (family !== AF_INET && family !== AF_INET6) return;
  const v4 = family === AF_INET;
  const bytes = new Uint8Array(v4 ? 16 : 28);
  view.copyInto(bytes);
  let prefix: number | null = null;
  if (mask !== null) {
    const maskBytes = new Uint8Array(bytes.length);
    new Deno.UnsafePointerView(mask).copyInto(maskBytes);
    prefix = prefixLength(maskBytes, v4 ? 4 : 8, v4 ? 8 : 24);
  }
  device.addresses.push({
    family: v4 ? "ipv4" : "ipv6",
    address: ipAt(bytes, v4 ? 4 : 8, v4 ? 4 : 6),
    prefixLength: prefix,
  });
}

/**
 * Every network interface of this network namespace, plus libpcap's `any`, sorted by name (`any`
 * last). libpcap's other pseudo-devices (nflog, usbmon, D-Bus…: no AF_PACKET address) are left out:
 * they carry no network traffic NetSentinel decodes.
 *
 * @throws {LiveCaptureError} code "libpcap-missing" when libpcap is not installed
 */
export function listInterfaces(): InterfaceInfo[] {
  const list: InterfaceInfo[] = [];
  for (const device of libpcapDevices()) {
    const any = device.name === "any";
    if (device.arphrd === null && !any) continue; // a pseudo-device
    const { linkType, name: linkTypeName } = any
      ? { linkType: LinkType.LINUX_SLL, name: "LINUX_SLL" }
      : linkTypeOfArphrd(device.arphrd!);
    const { name, arphrd, mac, addresses, up, running, loopback } = device;
    const info: InterfaceInfo = {
      name,
      linkType,
      linkTypeName,
      arphrd,
      mac,
      addresses,
      up: up || any,
      running: running || any,
      loopback,
      capturable: false,
    };
    if (!info.up) info.reason = `down (ip link set ${name} up)`;
    else if (!DECODED.has(linkType)) info.reason = `link type ${linkTypeName} is not decoded`;
    else info.capturable = true;
    list.push(info);
  }
  // By name, `any` last.
  return list.sort((a, b) => a.name === "any" ? 1 : b.name === "any" ? -1 : a.name < b.name ? -1 : 1);
}

/** The names of the network interfaces libpcap offers, sorted, then `any`. */
export function availableInterfaceNames(devices: LibpcapDevice[] = libpcapDevices()): string[] {
  const names = devices.filter((device) => device.arphrd !== null).map((device) => device.name).sort();
  return [...names, "any"];
}

/** The error for an interface that does not exist: it lists the available ones. */
export function noSuchInterface(iface: string, devices?: LibpcapDevice[]): LiveCaptureError {
  return new LiveCaptureError(
    "no-such-interface",
    `Cannot capture on "${iface}": no such interface (available: ${
      availableInterfaceNames(devices).join(", ")
    })`,
  );
}

/** The error for an interface that is down (or went down): it says how to bring it up. */
export function interfaceDown(iface: string): LiveCaptureError {
  return new LiveCaptureError(
    "interface-down",
    `Cannot capture on "${iface}": the interface is down; bring it up with: ip link set ${iface} up`,
  );
}

/**
 * Checks that `iface` exists and is up before a capture opens it (`any` always is).
 *
 * @throws {LiveCaptureError} code "no-such-interface" or "interface-down"
 */
export function requireCapturable(iface: string): void {
  const devices = libpcapDevices();
  const device = devices.find((candidate) => candidate.name === iface);
  if (device === undefined) throw noSuchInterface(iface, devices);
  if (!device.up) throw interfaceDown(iface);
}
