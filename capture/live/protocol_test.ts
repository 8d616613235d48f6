import assert from "node:assert/strict";
import {
  CAPTURE_WORKER_PERMISSIONS,
  createControl,
  LIVE_CAPTURE_DEFAULTS,
  LiveCaptureError,
  requestStop,
  resolveLiveCaptureOptions,
  ringIndexForFrame,
} from "./protocol.ts";
import { loadLiveLibpcap } from "../libpcap/ffi.ts";

Deno.test("resolveLiveCaptureOptions() applies the documented defaults", () => {
  assert.deepEqual(resolveLiveCaptureOptions({ iface: "eth0" }), {
    iface: "eth0",
    snaplen: 262144,
    promiscuous: true,
    bufferBytes: 32 * 1024 * 1024,
    filter: "",
    timeoutMs: 50,
    immediate: false,
    maxPackets: Infinity,
    batchPackets: 1024,
    batchLatencyMs: 10,
  });
  assert.equal(LIVE_CAPTURE_DEFAULTS.batchPackets, 1024);
});

Deno.test("resolveLiveCaptureOptions() names the option and the value it refuses", () => {
  const cases: [object, string][] = [
    [{ snaplen: 0 }, 'Cannot capture on "eth0": snaplen must be an integer from 1 to 262144, got 0'],
    [
      { bufferBytes: 1.5 },
      'Cannot capture on "eth0": bufferBytes must be an integer from 65536 to 2147483647, got 1.5',
    ],
    [{ timeoutMs: 0 }, 'Cannot capture on "eth0": timeoutMs must be an integer from 1 to 60000, got 0'],
    [
      { maxPackets: -1 },
      'Cannot capture on "eth0": maxPackets must be an integer from 1 to 9007199254740991, got -1',
    ],
    [
      { batchPackets: 10000 },
      'Cannot capture on "eth0": batchPackets must be an integer from 1 to 8192, got 10000',
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => resolveLiveCaptureOptions({ iface: "eth0", ...options }), (error: unknown) => {
      assert.ok(error instanceof LiveCaptureError);
      assert.equal(error.code, "bad-options");
      assert.equal(error.message, message);
      return true;
    });
  }
  assert.throws(() => resolveLiveCaptureOptions({ iface: "" }), /Cannot start a capture: iface must be/);
});

Deno.test("LiveCaptureError.from() rebuilds the error a worker posted", () => {
  const error = LiveCaptureError.from({ type: "error", code: "bad-filter", message: "Cannot compile x" });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "LiveCaptureError");
  assert.equal(error.code, "bad-filter");
  assert.equal(error.message, "Cannot compile x");
});

Deno.test("requestStop() sets the stop word", () => {
  const control = createControl();
  assert.equal(new Int32Array(control)[0], 0);
  requestStop(control);
  assert.equal(Atomics.load(new Int32Array(control), 0), 1);
});

Deno.test("ringIndexForFrame() is symmetric in the MAC pair and spreads pairs over the rings", () => {
  const frame = new Uint8Array(64);
  const counts = [0, 0, 0, 0];
  for (let pair = 0; pair < 4000; pair++) {
    const a = [0x00, 0x1b, 0x21, pair & 0xff, (pair >> 8) & 0xff, 0x10];
    const b = [0x3c, 0x52, 0x82, (pair * 7) & 0xff, 0x01, (pair * 13) & 0xff];
    frame.set(a, 2);
    frame.set(b, 8);
    const forward = ringIndexForFrame(frame, 2, 60, 1, 4);
    frame.set(b, 2);
    frame.set(a, 8);
    assert.equal(ringIndexForFrame(frame, 2, 60, 1, 4), forward);
    counts[forward]++;
  }
  for (const count of counts) assert.ok(count > 800 && count < 1200, `uneven spread: ${counts}`);
  assert.equal(ringIndexForFrame(frame, 2, 60, 1, 1), 0, "one ring");
  assert.equal(ringIndexForFrame(frame, 2, 60, 113, 4), 0, "not Ethernet");
  assert.equal(ringIndexForFrame(frame, 2, 11, 1, 4), 0, "too short for two MACs");
});

Deno.test("the capture worker gets FFI and nothing else", () => {
  assert.deepEqual(CAPTURE_WORKER_PERMISSIONS, {
    ffi: true,
    read: false,
    write: false,
    net: false,
    env: false,
    run: false,
    sys: false,
    import: false,
  });
});

Deno.test("loadLiveLibpcap() binds the live-capture functions and no sending one", async () => {
  const names = Object.keys(loadLiveLibpcap()).sort();
  assert.deepEqual(names, [
    "pcap_activate",
    "pcap_breakloop",
    "pcap_close",
    "pcap_compile",
    "pcap_create",
    "pcap_datalink",
    "pcap_findalldevs",
    "pcap_freealldevs",
    "pcap_freecode",
    "pcap_get_selectable_fd",
    "pcap_geterr",
    "pcap_next_ex",
    "pcap_set_buffer_size",
    "pcap_set_immediate_mode",
    "pcap_set_promisc",
    "pcap_set_snaplen",
    "pcap_set_timeout",
    "pcap_set_tstamp_precision",
    "pcap_setfilter",
    "pcap_setnonblock",
    "pcap_stats",
    "pcap_statustostr",
  ]);
  for (
    const file of [
      "../libpcap/ffi.ts",
      "../libpcap/live_handle.ts",
      "../libpcap/libc_poll.ts",
      "./capture_worker.ts",
    ]
  ) {
    const source = await Deno.readTextFile(new URL(file, import.meta.url));
    const code = source.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(code, /pcap_inject|pcap_sendpacket|pcap_sendqueue|\bsendto\b|\bsendmsg\b/, file);
  }
});
