import assert from "node:assert/strict";
import { cString, fromCString, LIBPCAP_NAMES, LibpcapUnavailableError, loadLibpcap } from "./ffi.ts";

Deno.test("loadLibpcap() binds only the five offline-reading functions, never a sending one", () => {
  const pcap = loadLibpcap();
  assert.deepEqual(Object.keys(pcap).sort(), [
    "pcap_close",
    "pcap_datalink",
    "pcap_geterr",
    "pcap_next_ex",
    "pcap_open_offline",
  ]);
  assert.equal(loadLibpcap(), pcap); // loaded once
});

Deno.test("loadLibpcap() source names no sending function outside its documentation", async () => {
  const source = await Deno.readTextFile(new URL("./ffi.ts", import.meta.url));
  const code = source.replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /pcap_inject|pcap_sendpacket|pcap_sendqueue/);
});

Deno.test("loadLibpcap() names the Debian package when the library is missing", () => {
  const names = ["libpcap-netsentinel-missing.so.9"];
  assert.throws(() => loadLibpcap(names), (error: unknown) => {
    assert.ok(error instanceof LibpcapUnavailableError);
    assert.equal(
      error.message,
      "Cannot load libpcap: none of libpcap-netsentinel-missing.so.9 could be opened; " +
        "install the Debian package libpcap0.8 (apt-get install libpcap0.8)",
    );
    assert.ok(error.cause instanceof Error);
    return true;
  });
  assert.deepEqual(LIBPCAP_NAMES, ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"]);
});

Deno.test("cString() and fromCString() convert NUL-terminated strings", () => {
  assert.deepEqual([...cString("aé")], [0x61, 0xc3, 0xa9, 0]);
  assert.equal(fromCString(Uint8Array.of(0x6f, 0x6b, 0, 0x78)), "ok");
  assert.equal(fromCString(Uint8Array.of(0x6f, 0x6b)), "ok");
});
