import assert from "node:assert/strict";
import { DEFAULT_BENCH_FRAMES } from "./bench_capture.ts";
import {
  DEFAULT_BENCH_PATH,
  DEFAULT_BENCH_TINY_PATH,
  DEFAULT_SAMPLE_PATH,
  parseSampleArgs,
  runSample,
  SAMPLE_USAGE,
  type SampleOutput,
} from "./generate.ts";
import { PLANT_GROUND_TRUTH } from "./plant.ts";
import { DEFAULT_SEED } from "./rng.ts";

function capture(): SampleOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, log: (line) => out.push(line), error: (line) => err.push(line) };
}

Deno.test("parseSampleArgs() applies defaults and accepts both flag forms", () => {
  assert.deepEqual(parseSampleArgs([]), {
    out: DEFAULT_SAMPLE_PATH,
    bench: false,
    frames: DEFAULT_BENCH_FRAMES,
    tiny: false,
    seed: DEFAULT_SEED,
    help: false,
  });
  assert.equal(parseSampleArgs(["--bench"]).out, DEFAULT_BENCH_PATH);
  assert.equal(parseSampleArgs(["--bench", "--tiny"]).out, DEFAULT_BENCH_TINY_PATH);
  assert.deepEqual(
    parseSampleArgs(["--bench", "--frames=1000", "--seed", "0", "--out", "x/y.pcap", "--tiny"]),
    {
      out: "x/y.pcap",
      bench: true,
      frames: 1000,
      tiny: true,
      seed: 0,
      help: false,
    },
  );
});

Deno.test("runSample() reports bad arguments in one line and exits with 2", async () => {
  const cases: [string[], string][] = [
    [["--bench", "--frames", "abc"], 'Cannot parse --frames: "abc" is not a positive integer'],
    [["--bench", "--frames", "0"], 'Cannot parse --frames: "0" is not a positive integer'],
    [["--bench", "--frames=1e6"], 'Cannot parse --frames: "1e6" is not a positive integer'],
    [["--seed", "4294967296"], 'Cannot parse --seed: "4294967296" is not an integer from 0 to 4294967295'],
    [["--seed", "-3"], 'Cannot parse --seed: "-3" is not an integer from 0 to 4294967295'],
    [["--out"], "Cannot parse --out: a value is required"],
    [["--out", "--bench"], "Cannot parse --out: a value is required"],
    [["--out="], "Cannot parse --out: the path is empty"],
    [["--bench=yes"], "Cannot parse --bench: it takes no value"],
    [["--verbose"], 'Cannot parse arguments: unknown option "--verbose" (see netsentinel sample --help)'],
    [["plant"], 'Cannot parse arguments: unexpected argument "plant" (see netsentinel sample --help)'],
    [["--frames", "10"], "Cannot use --frames without --bench"],
    [["--tiny"], "Cannot use --tiny without --bench"],
  ];
  for (const [args, message] of cases) {
    const io = capture();
    assert.equal(await runSample(args, io), 2, args.join(" "));
    assert.deepEqual(io.err, [message]);
    assert.deepEqual(io.out, []);
  }
});

Deno.test("runSample(['--help']) prints the usage and exits with 0", async () => {
  const io = capture();
  assert.equal(await runSample(["--help"], io), 0);
  assert.deepEqual(io.out, [SAMPLE_USAGE]);
});

Deno.test("runSample() creates the folder, writes the plant sample and the bench capture, and says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-generate-" });
  const plant = `${dir}/nested/folder/plant.pcap`;
  let io = capture();
  assert.equal(await runSample(["--out", plant], io), 0);
  const size = (await Deno.stat(plant)).size;
  assert.match(
    io.out[0],
    new RegExp(`^Wrote ${plant}: ${PLANT_GROUND_TRUTH.frames.total} frames, ${size} bytes `),
  );
  const bench = `${dir}/bench.pcap`;
  io = capture();
  assert.equal(
    await runSample(["--bench", "--tiny", "--frames", "500", `--out=${bench}`, "--seed", "9"], io),
    0,
  );
  assert.equal((await Deno.stat(bench)).size, 24 + 500 * 76);
  assert.match(
    io.out[0],
    new RegExp(`^Wrote ${bench}: 500 frames, 38024 bytes \\(bench capture, 60-byte frames`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runSample() reports a file it cannot write in one line and exits with 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netsentinel-generate-" });
  await Deno.writeTextFile(`${dir}/file`, "");
  const io = capture();
  assert.equal(await runSample(["--out", `${dir}/file/plant.pcap`], io), 1);
  assert.equal(io.err.length, 1);
  assert.match(io.err[0], new RegExp(`^Cannot write ${dir}/file/plant.pcap: `));
  await Deno.remove(dir, { recursive: true });
});
