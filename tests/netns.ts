/**
 * A throw-away network namespace with a veth pair, for live-capture tests: frames sent with
 * `tcpreplay` on {@linkcode Netns.sendIface} arrive on {@linkcode Netns.captureIface} and nowhere
 * else. Both ends live inside the namespace, have MTU 9000 (VLAN and QinQ frames exceed 1500
 * bytes), no IP address and IPv6 disabled, so the kernel itself never transmits on the capture end.
 *
 * Always dispose of it: `await using ns = await Netns.create()`, or `try … finally ns.dispose()`.
 * Tests that need it pass {@linkcode NETNS}`.skip` to `Deno.test`'s `ignore` and its `note` to
 * the name; under `CI=true` they run and {@linkcode Netns.create} fails them with the reason (see
 * `requirements.ts`).
 *
 * @module
 */

import { Requirement } from "./requirements.ts";

/** Counters of one interface, from `ip -s -j link show`. */
export interface LinkCounters {
  /** Packets received. */
  rxPackets: number;
  /** Bytes received. */
  rxBytes: number;
  /** Received packets dropped. */
  rxDropped: number;
  /** Packets transmitted (must not move on a capture interface). */
  txPackets: number;
  /** Bytes transmitted. */
  txBytes: number;
}

/** What `tcpreplay` reported. */
export interface ReplayResult {
  /** Packets sent ("Actual: N packets"). */
  sent: number;
  /** Packets it failed to send. */
  failed: number;
  /** Sending time it reports, in seconds. */
  seconds: number;
  /** Its whole output. */
  output: string;
}

/** Options of {@linkcode Netns.replay}. */
export interface ReplayOptions {
  /** Packets per second (`--pps`). */
  pps?: number;
  /** As fast as possible (`--topspeed`). */
  topspeed?: boolean;
  /** Load the files into memory first (`--preload-pcap`). */
  preload?: boolean;
  /** Send the files this many times (`--loop`). */
  loop?: number;
}

function onPath(command: string): boolean {
  for (const folder of (Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${folder}/${command}`).isFile) return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

function whyMissing(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  let uid: number | null;
  try {
    uid = Deno.uid();
  } catch {
    return "cannot tell whether this is root (needs --allow-sys)";
  }
  if (uid !== 0) return "creating network namespaces needs root";
  for (const command of ["ip", "tcpreplay"]) {
    if (!onPath(command)) return `${command} is not installed (apt-get install iproute2 tcpreplay)`;
  }
  return undefined;
}

/** Network namespaces with veth pairs and tcpreplay (Linux, root, `ip`, `tcpreplay`), as a test requirement. */
export const NETNS: Requirement = new Requirement("network namespaces", whyMissing());

let created = 0;

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) {
    throw new Error(`Cannot run ${command} ${args.join(" ")}: exit ${output.code}: ${text.trim()}`);
  }
  return text;
}

function processAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Deletes namespaces left by test processes that died before disposing of them. */
async function removeStale(): Promise<void> {
  const list = await run("ip", ["netns", "list"]);
  for (const match of list.matchAll(/^ns-ns-(\d+)-\d+/gm)) {
    if (!processAlive(Number(match[1]))) await run("ip", ["netns", "delete", match[0]]).catch(() => {});
  }
}

/** A network namespace holding a veth pair. */
export class Netns {
  /** Namespace name, `ns-ns-<pid>-<n>`. */
  readonly name: string;
  /** The veth end frames are sent on. */
  readonly sendIface = "veth-send";
  /** The veth end frames are captured on. */
  readonly captureIface = "veth-cap";
  #disposed = false;

  private constructor(name: string) {
    this.name = name;
  }

  /** Creates the namespace and its veth pair, both ends up. */
  static async create(): Promise<Netns> {
    NETNS.check();
    await removeStale();
    const ns = new Netns(`ns-ns-${Deno.pid}-${++created}`);
    await run("ip", ["netns", "add", ns.name]);
    try {
      const ip = ["-n", ns.name, "link"];
      await run("ip", [
        ...ip,
        "add",
        ns.sendIface,
        "mtu",
        "9000",
        "type",
        "veth",
        "peer",
        "name",
        ns.captureIface,
        "mtu",
        "9000",
      ]);
      await ns.exec("sysctl", [
        "-q",
        "-w",
        `net.ipv6.conf.${ns.sendIface}.disable_ipv6=1`,
        `net.ipv6.conf.${ns.captureIface}.disable_ipv6=1`,
      ]);
      await ns.setUp(ns.sendIface, true);
      await ns.setUp(ns.captureIface, true);
    } catch (error) {
      await ns.dispose();
      throw error;
    }
    return ns;
  }

  /** `ip netns exec NAME`: the prefix that runs a command inside. */
  get prefix(): string[] {
    return ["ip", "netns", "exec", this.name];
  }

  /** Runs a command inside the namespace and returns its output (throws when it fails). */
  exec(command: string, args: string[]): Promise<string> {
    return run("ip", ["netns", "exec", this.name, command, ...args]);
  }

  /** `ip link set IFACE up|down`. */
  async setUp(iface: string, up: boolean): Promise<void> {
    await run("ip", ["-n", this.name, "link", "set", iface, up ? "up" : "down"]);
  }

  /** Packet and byte counters of an interface of the namespace. */
  async counters(iface: string): Promise<LinkCounters> {
    const text = await run("ip", ["-n", this.name, "-s", "-j", "link", "show", "dev", iface]);
    const stats = JSON.parse(text)[0].stats64;
    return {
      rxPackets: stats.rx.packets,
      rxBytes: stats.rx.bytes,
      rxDropped: stats.rx.dropped,
      txPackets: stats.tx.packets,
      txBytes: stats.tx.bytes,
    };
  }

  /** Sends capture files on {@linkcode sendIface} with tcpreplay (files in order). */
  async replay(files: string[], options: ReplayOptions = {}): Promise<ReplayResult> {
    const args = ["-i", this.sendIface];
    if (options.topspeed) args.push("--topspeed");
    else if (options.pps !== undefined) args.push("--pps", String(options.pps));
    if (options.preload) args.push("--preload-pcap");
    if (options.loop !== undefined) args.push("--loop", String(options.loop));
    const output = await this.exec("tcpreplay", [...args, ...files]);
    const actual = /Actual: (\d+) packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(output);
    const failed = /Failed packets:\s+(\d+)/.exec(output);
    if (actual === null) throw new Error(`Cannot read the output of tcpreplay: ${output.trim()}`);
    return { sent: Number(actual[1]), failed: Number(failed?.[1] ?? 0), seconds: Number(actual[2]), output };
  }

  /** Deletes the namespace (and with it the veth pair). Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await run("ip", ["netns", "delete", this.name]);
  }

  /** For `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
