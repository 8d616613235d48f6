/**
 * End-to-end check of live capture (issue 3): `netsentinel analyze --iface IF --count N --json`,
 * listening inside a throw-away network namespace while tcpreplay sends a capture file across a
 * veth pair, prints the same inventory as `netsentinel analyze FILE --json` (devices, IPs, VLANs,
 * flows with packet and byte counts, protocols, talkers, events), and the capture interface sends
 * nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NETNS, Netns } from "./netns.ts";
import { notes, Requirement } from "./requirements.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const DENO = [Deno.execPath(), "run", "-A", "--unstable-worker-options", MAIN];

/** Concatenated into one file: 802.1Q, QinQ 0x88a8 and 0x8100/0x8100, Modbus/TCP, DHCP, IPv6, LLDP/CDP. */
const FILES = [
  "vlan_8021q_and_double_tag_cdp.pcap",
  "qinq_8021ad_arp.pcap",
  "qinq_8100x2_bacnet_whois.pcap",
  "modbus_tcp_test_data_part1.pcap",
  "dhcp_zeek_dhcp.pcap",
  "ipv6_tcp_smtp.pcap",
  "lldp_cdp_cisco.pcap",
];

function onPath(command: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((folder) => {
    try {
      return Deno.statSync(join(folder, command)).isFile;
    } catch {
      return false;
    }
  });
}

const MERGECAP = new Requirement(
  "mergecap",
  onPath("mergecap") ? undefined : "mergecap is not installed (apt-get install tshark)",
);
const NEEDS = [NETNS, SHARED_PCAPS, MERGECAP];

async function output(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
}

/** The inventory without what depends on when or how it was captured. */
function comparable(document: Record<string, unknown>): unknown {
  const { source: _source, stats: _stats, metrics: _metrics, netsentinel, ...rest } = document;
  const { generated_at: _generated, ...version } = netsentinel as Record<string, unknown>;
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).filter(([key]) =>
        !/^(first_seen|last_seen|time|timestamp|from|to|detected_at)$/.test(key)
      )
        .map(([key, inner]) => [key, strip(inner)]),
    );
  };
  return strip({ netsentinel: version, ...rest });
}

/** Waits until a packet socket is bound to interface index `ifindex` in the namespace. */
async function waitForCaptureSocket(ns: Netns, ifindex: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const table = await ns.exec("cat", ["/proc/net/packet"]);
    // sk RefCnt Type Proto Iface R Rmem User Inode
    if (table.split("\n").slice(1).some((line) => Number(line.trim().split(/\s+/)[4]) === ifindex)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No capture socket on interface ${ifindex} after ${timeoutMs} ms`);
}

Deno.test({
  name: `analyze --iface prints the same inventory as analyze FILE, and the capture end sends nothing${
    notes(...NEEDS)
  }`,
  ignore: NEEDS.some((requirement) => requirement.skip),
  async fn() {
    await using ns = await Netns.create();
    const dir = await Deno.makeTempDir();
    try {
      const file = join(dir, "merged.pcap");
      MERGECAP.check();
      const merge = await output(["mergecap", "-a", "-F", "pcap", "-w", file, ...FILES.map(sharedCapture)]);
      assert.equal(merge.code, 0, merge.stderr);
      const offline = await output([...DENO, "analyze", file, "--json"]);
      assert.equal(offline.code, 0, offline.stderr);
      const expected = JSON.parse(offline.stdout);
      const frames = expected.summary.packets as number;

      const link = JSON.parse(await ns.exec("ip", ["-j", "link", "show", "dev", ns.captureIface]))[0];
      const before = await ns.counters(ns.captureIface);
      const live = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          ns.name,
          ...DENO,
          "analyze",
          "--iface",
          ns.captureIface,
          "--count",
          String(frames),
          "--json",
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const liveOutput = live.output();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await waitForCaptureSocket(ns, link.ifindex, 15000);
        await new Promise((resolve) => setTimeout(resolve, 500)); // activation, filter, dissector start
        const replay = await ns.replay([file], { pps: 20000 });
        assert.equal(replay.sent, frames);
        timer = setTimeout(() => live.kill("SIGTERM"), 15000);
        const result = await liveOutput;
        const stderr = new TextDecoder().decode(result.stderr);
        assert.equal(result.code, 0, stderr);
        const after = await ns.counters(ns.captureIface);
        assert.equal(after.txPackets, before.txPackets, "the capture interface transmitted nothing");
        const got = JSON.parse(new TextDecoder().decode(result.stdout));
        assert.equal(
          got.summary.packets,
          frames,
          `live capture got ${got.summary.packets} of ${frames}: ${stderr}`,
        );
        assert.deepEqual(comparable(got), comparable(expected));
      } finally {
        clearTimeout(timer);
        try {
          live.kill("SIGKILL");
        } catch {
          // Already exited.
        }
        await liveOutput.catch(() => {});
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
