import assert from "node:assert/strict";
import { CaptureFileError } from "./capture_error.ts";

Deno.test("CaptureFileError() formats its message in the standard library style", () => {
  const cases = [
    {
      offset: 4096,
      reason: "record header announces 70000 captured bytes, larger than the snapshot length 65535",
      message:
        'Cannot read capture file "x.pcap" at offset 4096: record header announces 70000 captured bytes, ' +
        "larger than the snapshot length 65535",
    },
    {
      offset: 0,
      reason: "pcap file header is truncated: 10 of 24 bytes present",
      message:
        'Cannot read capture file "x.pcap" at offset 0: pcap file header is truncated: 10 of 24 bytes present',
    },
    {
      offset: -1,
      reason: "the file is empty",
      message: 'Cannot read capture file "x.pcap": the file is empty',
    },
  ];
  for (const { offset, reason, message } of cases) {
    const cause = new Error("underlying");
    const error = new CaptureFileError("x.pcap", { offset, expected: "something", reason, cause });
    assert.ok(error instanceof Error);
    assert.equal(error.name, "CaptureFileError");
    assert.equal(error.message, message);
    assert.doesNotMatch(error.message, /\.$/);
    assert.deepEqual([error.path, error.offset, error.expected, error.reason], [
      "x.pcap",
      offset,
      "something",
      reason,
    ]);
    assert.equal(error.cause, cause);
  }
});
