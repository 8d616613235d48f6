/**
 * `netsentinel interfaces`: the interfaces a capture can listen on, as a table or JSON.
 *
 * @module
 */

import { type InterfaceInfo, listInterfaces } from "../capture/interfaces.ts";
import { CAPTURE_PERMISSION_HINT, LiveCaptureError } from "../capture/live/protocol.ts";
import { parseCommandArgs } from "./parse.ts";
import { formatTable } from "./table.ts";
import { EXIT_INPUT, UsageError } from "./usage_error.ts";

/** Help text of `interfaces`. */
export const INTERFACES_HELP = `Usage: netsentinel interfaces [options]

Lists the network interfaces of this machine (of its network namespace) with their link type,
MAC, addresses and state, and whether NetSentinel can capture on them: up, and of a link type
it decodes. "any" captures on every interface at once (Linux cooked frames). Listing needs no
privilege; capturing needs root or CAP_NET_RAW.

Options:
  --json            print the list as JSON (one object per interface: name, link_type,
                    link_type_name, arphrd, mac, addresses, up, running, loopback,
                    capturable, reason)
  -h, --help        show this help

Exit status: 0 on success; 1 when libpcap is missing or cannot list the interfaces; 2 for a
usage error.`;

function state(info: InterfaceInfo): string {
  if (!info.up) return "down";
  return info.running ? "up" : "up, no carrier";
}

function addresses(info: InterfaceInfo): string {
  if (info.addresses.length === 0) return "-";
  return info.addresses.map((a) => a.prefixLength === null ? a.address : `${a.address}/${a.prefixLength}`)
    .join(
      " ",
    );
}

/** The table printed by `netsentinel interfaces`. */
export function formatInterfaces(list: InterfaceInfo[]): string {
  return formatTable(
    ["INTERFACE", "STATE", "LINK TYPE", "MAC", "ADDRESSES", "CAPTURE"],
    list.map((info) => [
      info.name,
      state(info),
      info.linkTypeName + (info.loopback ? " (loopback)" : ""),
      info.mac ?? "-",
      addresses(info),
      info.capturable ? "yes" : `no: ${info.reason}`,
    ]),
  );
}

/**
 * One interface as `interfaces --json` prints it: snake_case keys, like the inventory document.
 */
export function interfaceJson(info: InterfaceInfo): Record<string, unknown> {
  return {
    name: info.name,
    link_type: info.linkType,
    link_type_name: info.linkTypeName,
    arphrd: info.arphrd,
    mac: info.mac,
    addresses: info.addresses.map((address) => ({
      family: address.family,
      address: address.address,
      prefix_length: address.prefixLength,
    })),
    up: info.up,
    running: info.running,
    loopback: info.loopback,
    capturable: info.capturable,
    reason: info.reason ?? null,
  };
}

/** Root, or null when the user id cannot be read (no --allow-sys). */
function isRoot(): boolean | null {
  try {
    return Deno.uid() === 0;
  } catch {
    return null;
  }
}

/** Runs `interfaces` and returns the exit status (a usage error rejects with a UsageError). */
export function runInterfaces(args: string[]): Promise<number> {
  try {
    return Promise.resolve(interfaces(args));
  } catch (error) {
    return Promise.reject(error);
  }
}

function interfaces(args: string[]): number {
  const { values, positionals } = parseCommandArgs("interfaces", args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(INTERFACES_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Cannot list interfaces: unexpected argument "${positionals[0]}"`);
  }
  let list: InterfaceInfo[];
  try {
    list = listInterfaces();
  } catch (error) {
    if (error instanceof LiveCaptureError) {
      console.error(`netsentinel: ${error.message}`);
      return EXIT_INPUT;
    }
    throw error;
  }
  if (values.json) {
    console.log(JSON.stringify(list.map(interfaceJson), null, 2));
    return 0;
  }
  console.log(formatInterfaces(list));
  if (isRoot() === false) console.log(`\nNote: not running as root; ${CAPTURE_PERMISSION_HINT}.`);
  return 0;
}
