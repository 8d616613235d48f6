import assert from "node:assert/strict";
import { PLANT_GROUND_TRUTH as TRUTH, writePlantSample } from "./plant.ts";
import { expertProblems, TSHARK, tsharkFields } from "../tests/tshark_fields.ts";

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const dir = await Deno.makeTempDir({ prefix: "netsentinel-plant-" });
const samplePath = `${dir}/plant.pcap`;
const written = await writePlantSample(samplePath);

Deno.test("writePlantSample() writes the ground truth's frame count in the expected time span", async () => {
  assert.equal(written.frames, TRUTH.frames.total);
  assert.ok(written.frames >= 300 && written.frames <= 3000);
  assert.equal(written.bytes, (await Deno.stat(samplePath)).size);
  const v = new DataView((await Deno.readFile(samplePath)).buffer);
  const start = Date.parse(TRUTH.startTime) / 1000;
  assert.ok(v.getUint32(24, true) >= start && v.getUint32(24, true) < start + 1);
});

Deno.test("writePlantSample() is deterministic: same seed same bytes, other seed other bytes", async () => {
  const again = `${dir}/again.pcap`;
  const other = `${dir}/other.pcap`;
  await writePlantSample(again);
  const otherSummary = await writePlantSample(other, { seed: 1 });
  assert.equal(await sha256(again), await sha256(samplePath));
  assert.notEqual(await sha256(other), await sha256(samplePath));
  assert.equal(otherSummary.frames, TRUTH.frames.total);
});

Deno.test({
  name: `plant sample has no tshark expert warning, checksum or malformed error${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn() {
    assert.deepEqual(await expertProblems(samplePath), []);
  },
});

const FIELDS = [
  "frame.protocols",
  "eth.src",
  "vlan.id",
  "ieee8021ad.id",
  "ip.src",
  "ipv6.src",
  "arp.src.proto_ipv4",
  "arp.isgratuitous",
  "lldp.tlv.system.name",
  "lldp.mgn.addr.ip4",
  "dhcp.option.dhcp",
  "dhcp.hw.mac_addr",
  "dhcp.option.hostname",
  "dhcp.ip.your",
  "dns.flags.response",
  "dns.qry.name",
  "dns.a",
  "modbus.func_code",
  "icmpv6.type",
] as const;

type Row = Record<(typeof FIELDS)[number], string[]>;

async function rows(): Promise<Row[]> {
  const raw = await tsharkFields(samplePath, FIELDS);
  return raw.map((r) => Object.fromEntries(FIELDS.map((f, i) => [f, r[i]])) as Row);
}

function count(all: Row[], predicate: (r: Row) => boolean): number {
  return all.filter(predicate).length;
}

function hasProtocol(r: Row, proto: string): boolean {
  return r["frame.protocols"][0].split(":").includes(proto);
}

Deno.test({
  name:
    `plant sample decodes to the ground truth: counts, VLANs, QinQ, DHCP, LLDP, DNS, Modbus${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn(t) {
    const all = await rows();
    const f = TRUTH.frames;
    await t.step("frame counts per protocol", () => {
      assert.equal(all.length, f.total);
      assert.equal(count(all, (r) => hasProtocol(r, "lldp")), f.lldp);
      assert.equal(count(all, (r) => hasProtocol(r, "stp")), f.stp);
      assert.equal(count(all, (r) => hasProtocol(r, "dhcp")), f.dhcp);
      assert.equal(count(all, (r) => hasProtocol(r, "dns")), f.dns);
      assert.equal(count(all, (r) => hasProtocol(r, "arp")), f.arp);
      assert.equal(count(all, (r) => r["arp.isgratuitous"][0] === "1"), f.gratuitousArp);
      assert.equal(count(all, (r) => r["icmpv6.type"][0] === "136"), f.neighborAdvertisements);
      assert.equal(count(all, (r) => r["icmpv6.type"][0] === "143"), f.mldReports);
      assert.equal(count(all, (r) => hasProtocol(r, "modbus")), f.modbus);
      assert.equal(count(all, (r) => r["ieee8021ad.id"].length > 0), f.qinq);
    });
    await t.step("VLAN ids and the QinQ trunk", () => {
      assert.deepEqual([...new Set(all.flatMap((r) => r["vlan.id"]))].sort(), TRUTH.vlans.map(String));
      const qinq = all.filter((r) => r["ieee8021ad.id"].length > 0);
      assert.ok(qinq.every((r) => r["ieee8021ad.id"][0] === String(TRUTH.qinq.outer)));
      assert.ok(qinq.every((r) => r["vlan.id"][0] === String(TRUTH.qinq.inner)));
    });
    await t.step("QinQ as vlan.id when tshark is told the S-tag's TPID", async () => {
      const prefs = ["-o", "vlan.qinq_ethertype:0x88a8"];
      const stacks = await tsharkFields(samplePath, ["vlan.id"], "eth.type == 0x88a8", prefs);
      assert.equal(stacks.length, f.qinq);
      const expected = [String(TRUTH.qinq.outer), String(TRUTH.qinq.inner)];
      assert.ok(stacks.every(([ids]) => ids.join() === expected.join()));
    });
    await t.step("every host is seen with its MAC, address and VLAN", () => {
      for (const host of TRUTH.hosts) {
        const mine = all.filter((r) => r["eth.src"][0] === host.mac);
        assert.ok(mine.length > 0, `${host.id} sends frames`);
        const ips = new Set(
          mine.flatMap((r) => [...r["ip.src"], ...r["arp.src.proto_ipv4"], ...r["lldp.mgn.addr.ip4"]]),
        );
        if (host.ip !== null) assert.ok(ips.has(host.ip), `${host.id} is seen with ${host.ip}`);
        for (const v6 of host.ipv6.slice(0, 1)) {
          assert.ok(mine.some((r) => r["ipv6.src"].includes(v6)), `${host.id} ${v6}`);
        }
        const vlans = new Set(mine.map((r) => r["vlan.id"][0] ?? null));
        assert.deepEqual([...vlans], [host.vlan === null ? null : String(host.vlan)], `${host.id} VLAN`);
        const outer = new Set(mine.map((r) => r["ieee8021ad.id"][0] ?? null));
        const expected = host.outerVlan !== null
          ? [String(host.outerVlan)]
          : TRUTH.qinq.hosts.includes(host.id)
          ? [null, String(TRUTH.qinq.outer)]
          : [null];
        assert.deepEqual([...outer].sort(), expected.sort(), `${host.id} S-VLAN`);
      }
    });
    await t.step("router MAC carries the off-subnet addresses", () => {
      const behind = all.filter((r) => r["eth.src"][0] === TRUTH.router.mac).flatMap((r) => r["ip.src"]);
      assert.deepEqual([...new Set(behind)].sort(), [...TRUTH.router.offSubnetIps].sort());
    });
    await t.step("DHCP leases with host names (full DORA)", () => {
      const dhcp = all.filter((r) => hasProtocol(r, "dhcp"));
      for (const lease of TRUTH.dhcpLeases) {
        const mine = dhcp.filter((r) => r["dhcp.hw.mac_addr"][0] === lease.mac);
        assert.deepEqual(mine.map((r) => r["dhcp.option.dhcp"][0]), ["1", "2", "3", "5"]);
        assert.deepEqual(
          mine.filter((r) => r["dhcp.option.hostname"].length).map((r) => r["dhcp.option.hostname"][0]),
          [
            lease.hostname,
            lease.hostname,
          ],
        );
        assert.equal(mine.find((r) => r["dhcp.option.dhcp"][0] === "5")?.["dhcp.ip.your"][0], lease.ip);
      }
    });
    await t.step("LLDP system names and DNS answers", () => {
      assert.deepEqual(
        [...new Set(all.flatMap((r) => r["lldp.tlv.system.name"]))].sort(),
        [...TRUTH.lldpSystemNames].sort(),
      );
      const answers = new Map<string, string[]>();
      for (const r of all.filter((r) => r["dns.flags.response"][0] === "1")) {
        answers.set(r["dns.qry.name"][0], r["dns.a"]);
      }
      assert.deepEqual(
        Object.fromEntries(answers),
        Object.fromEntries(TRUTH.dnsAnswers.map((a) => [a.name, [...a.addresses]])),
      );
    });
    await t.step("Modbus function codes", () => {
      const codes = all.flatMap((r) => r["modbus.func_code"]);
      const m = TRUTH.modbus;
      assert.equal(codes.filter((c) => c === "3").length, m.readRequests + m.readResponses);
      assert.equal(codes.filter((c) => c === "6").length, m.writeRequests + m.writeResponses);
      const writes = all.filter((r) => r["modbus.func_code"][0] === "6").map((r) => r["ip.src"][0]);
      assert.deepEqual(writes, [m.write.from, m.write.to]);
    });
  },
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
