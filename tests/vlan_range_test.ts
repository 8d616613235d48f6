/**
 * VLAN ids across the whole 12-bit range (IEEE 802.1Q-2018 9.6: 0 is a priority tag, 4095 is
 * reserved, both still appear on the wire), single-tagged and stacked under the QinQ outer TPIDs
 * 0x88a8 (802.1ad S-tag) and 0x9100 (pre-standard QinQ), in generated frames. tshark must read the
 * ids written (`ieee8021ad.id`, `vlan.id`, outermost first), and `analyze` must report the same ids
 * on the flow, on the sending device and in the VLAN list. Ids above 2047 are what a VLAN id read
 * with fewer than 12 bits would get wrong; none of the shared captures has one.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import { parseIpv4, parseMac, udpPayloadOffset, type VlanTag, writeUdpFrame } from "../samples/frames.ts";
import { PcapWriter } from "../samples/pcap_writer.ts";
import { expertProblems, TSHARK } from "./tshark_fields.ts";
import { inventoryOf, tsharkFrames } from "./tshark_oracle.ts";

/** Tag stacks, outermost first: [TPID, VLAN id] pairs. */
const STACKS: [number, number][][] = [
  [[0x8100, 0]],
  [[0x8100, 1]],
  [[0x8100, 2047]],
  [[0x8100, 2048]],
  [[0x8100, 4094]],
  [[0x8100, 4095]],
  [[0x88a8, 0], [0x8100, 4095]],
  [[0x88a8, 2048], [0x8100, 2047]],
  [[0x88a8, 4094], [0x8100, 1]],
  [[0x88a8, 4095], [0x8100, 3000]],
  [[0x9100, 2049], [0x8100, 4093]],
  [[0x9100, 4095], [0x8100, 0]],
];

function senderOf(i: number): string {
  return `02:00:00:00:00:${(i + 1).toString(16).padStart(2, "0")}`;
}

/** What a flow or device reports: `vlan_id` is the innermost tag, `outer_vlan_id` the outer one of two. */
function reported(stack: [number, number][]): { vlan_id: number; outer_vlan_id: number | null } {
  return stack.length === 1
    ? { vlan_id: stack[0][1], outer_vlan_id: null }
    : { vlan_id: stack[1][1], outer_vlan_id: stack[0][1] };
}

async function writeCapture(path: string): Promise<void> {
  const writer = await PcapWriter.create(path);
  const buf = new Uint8Array(1514);
  STACKS.forEach((stack, i) => {
    const tags: VlanTag[] = stack.map(([tpid, vid], t) => ({ tpid, vid, pcp: t === 0 ? 5 : 0 }));
    const frame = {
      eth: { dst: parseMac("02:00:00:00:01:00"), src: parseMac(senderOf(i)), tags },
      ip: { version: 4 as const, src: parseIpv4(`10.0.0.${i + 1}`), dst: parseIpv4("10.0.1.1") },
    };
    const payload = udpPayloadOffset(frame);
    buf.fill(0x42, payload, payload + 16);
    writer.write(
      1_700_000_000 + i,
      0,
      buf.subarray(0, writeUdpFrame(buf, 0, frame, { srcPort: 40000, dstPort: 9 }, 16)),
    );
  });
  writer.close();
}

Deno.test({
  name:
    `VLAN ids 0 to 4095, single and stacked under 0x88a8 and 0x9100, read as tshark reads them${TSHARK.note}`,
  ignore: TSHARK.skip,
  async fn(t) {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/vlans.pcap`;
    await writeCapture(path);

    await t.step("tshark reads the ids written", async () => {
      deepStrictEqual(await expertProblems(path), []);
      const frames = await tsharkFrames(path);
      deepStrictEqual(frames.map((frame) => frame.vlans), STACKS.map((stack) => stack.map(([, vid]) => vid)));
    });

    await t.step("analyze reports them on the flow, the device and the VLAN list", async () => {
      const doc = await inventoryOf(path);
      const expected = STACKS.map(reported);
      const flows = STACKS.map((_, i) => doc.flows.filter((flow) => flow.src_mac === senderOf(i)));
      deepStrictEqual(
        flows.map((list) => list.map(({ vlan_id, outer_vlan_id }) => ({ vlan_id, outer_vlan_id }))),
        expected.map((vlan) => [vlan]),
        "flows",
      );
      const devices = STACKS.map((_, i) => doc.devices.find((device) => device.mac_address === senderOf(i)));
      deepStrictEqual(
        devices.map((device) => device?.vlans),
        expected.map((vlan) => [vlan]),
        "senders' VLANs",
      );
      deepStrictEqual(
        devices.map((device) =>
          device?.ips.map(({ vlan_id, outer_vlan_id }) => ({ vlan_id, outer_vlan_id }))
        ),
        expected.map((vlan) => [vlan]),
        "senders' addresses per VLAN",
      );
      const key = (vlan: { vlan_id: number; outer_vlan_id: number | null }) =>
        `${vlan.outer_vlan_id}/${vlan.vlan_id}`;
      deepStrictEqual(doc.vlans.map(key).sort(), expected.map(key).sort(), "VLAN list");
    });
    await Deno.remove(dir, { recursive: true });
  },
});
