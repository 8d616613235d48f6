import { deepStrictEqual, rejects } from "node:assert/strict";
import { readFrames, writeFrame } from "./frames.ts";

Deno.test("readFrames() reads back what writeFrame() wrote, across pipe-sized pieces", async () => {
  const sent = [
    { meta: { kind: "job", n: 1 }, payload: new Uint8Array(0) },
    { meta: { kind: "table" }, payload: Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) & 255) },
    { meta: { kind: "day-end", text: "é" }, payload: new Uint8Array([1, 2, 3]) },
  ];
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const writing = (async () => {
    for (const frame of sent) await writeFrame(writer, frame.meta, frame.payload);
    await writer.close();
  })();
  const received = [];
  for await (const frame of readFrames(readable)) received.push(frame);
  await writing;
  deepStrictEqual(received, sent);
});

Deno.test("readFrames() reports a stream that ends inside a frame", async () => {
  const stream = new Blob([new Uint8Array([0, 0, 0, 10, 123])]).stream();
  await rejects(async () => {
    for await (const _ of readFrames(stream)) { /* nothing */ }
  }, /ended 9 bytes short/);
});
