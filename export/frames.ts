/**
 * Length-prefixed frames over a pipe, between the export process and its uploader: each frame is
 * a JSON header and a byte payload (`uint32 BE header length | header | uint32 BE payload length |
 * payload`).
 *
 * @module
 */

/** One frame. */
export interface Frame<T = Record<string, unknown>> {
  meta: T;
  payload: Uint8Array<ArrayBuffer>;
}

/** Writes one frame. */
export async function writeFrame(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  meta: unknown,
  payload: Uint8Array = new Uint8Array(0),
): Promise<void> {
  const head = new TextEncoder().encode(JSON.stringify(meta));
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, head.length);
  const size = new Uint8Array(4);
  new DataView(size.buffer).setUint32(0, payload.length);
  await writer.write(prefix);
  await writer.write(head);
  await writer.write(size);
  if (payload.length > 0) await writer.write(payload);
}

/** Reads exactly `length` bytes from the stream, or null at its clean end. */
class ByteReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async read(length: number): Promise<Uint8Array<ArrayBuffer> | null> {
    while (this.#buffered < length) {
      const { value, done } = await this.#reader.read();
      if (done) {
        if (this.#buffered === 0) return null;
        throw new Error(`Cannot read a frame: the stream ended ${length - this.#buffered} bytes short`);
      }
      this.#chunks.push(value);
      this.#buffered += value.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      const chunk = this.#chunks[0];
      const take = Math.min(chunk.length, length - at);
      out.set(chunk.subarray(0, take), at);
      at += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#buffered -= length;
    return out;
  }
}

/** The frames of `stream`, until it ends. */
export async function* readFrames<T>(stream: ReadableStream<Uint8Array>): AsyncGenerator<Frame<T>> {
  const reader = new ByteReader(stream);
  for (;;) {
    const prefix = await reader.read(4);
    if (prefix === null) return;
    const head = await reader.read(new DataView(prefix.buffer).getUint32(0));
    const size = await reader.read(4);
    if (head === null || size === null) throw new Error("Cannot read a frame: the stream ended inside one");
    const length = new DataView(size.buffer).getUint32(0);
    const payload = length === 0 ? new Uint8Array(0) : await reader.read(length);
    if (payload === null) throw new Error("Cannot read a frame: the stream ended inside one");
    yield { meta: JSON.parse(new TextDecoder().decode(head)) as T, payload };
  }
}
