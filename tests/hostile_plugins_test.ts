/**
 * Hostile and careless drop-in plugins, each run through `deno task analyze FILE --plugins DIR
 * --json` as a user runs it, on the shared Omron FINS capture (243 frames to UDP 9600, a port no
 * built-in dissector claims): a plugin that loops forever in `decode`, in `probe` or while
 * loading, allocates without bound (in `decode` and while loading), reports a megabyte-long identity on every packet, calls
 * `Deno.exit` or `self.close()`, writes into `packet.bytes`, replaces `Math.floor`, or throws
 * `Object.create(null)`. Every run ends with exit 0 within the deadline, the plugin is reported
 * disabled with its reason (where it fails), and what the built-in dissectors found (devices,
 * flows, packets, bytes, built-in events and identities) equals a run without the plugin.
 *
 * The watchdog is set to 2 s (`[dissectors] watchdog_s`) and the plugins' heap to 64 MiB, so the
 * whole file stays short.
 *
 * @module
 */

import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CAPTURE = "omron_fins_udp.pcapng";
/** Longest a run may take: the watchdog (2 s) plus start, restart and the analysis itself. */
const DEADLINE_MS = 30_000;

interface Doc {
  summary: Record<string, unknown>;
  devices: unknown[];
  flows: Record<string, unknown>[];
  events: { source?: string; type: string }[];
  identities: { source?: string; key: string; value: string }[];
  stats: Record<
    string,
    {
      packets: number;
      bytes: number;
      disabled_dissectors: { name: string; reason: string }[];
      dissector_errors: Record<string, number>;
      plugin_frames_lost: number;
      observations_cut: number;
      problems: string[];
    }
  >;
}

let folderBase: string | undefined;
async function folder(): Promise<string> {
  folderBase ??= await Deno.makeTempDir({ prefix: "netsentinel-hostile-" });
  return folderBase;
}

/** `deno task analyze CAPTURE --json` (with the plugin `source` when given), killed at the deadline. */
async function analyze(source?: string, name = "plugin"): Promise<Doc> {
  const base = await folder();
  const config = `${base}/netsentinel.toml`;
  await Deno.writeTextFile(config, `[dissectors]\nwatchdog_s = 2\nplugin_memory_mb = 64\n`);
  const args = ["task", "-q", "analyze", sharedCapture(CAPTURE), "--json", "--config", config];
  if (source !== undefined) {
    const dir = `${base}/${name}`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/${name}.ts`, source);
    args.push("--plugins", dir);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
  const output = await child.output();
  clearTimeout(timer);
  const stderr = new TextDecoder().decode(output.stderr);
  strictEqual(output.code, 0, `${name}: exit ${output.code} (killed at the deadline?): ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** What the built-in dissectors found, without the plugin's own application label and observations. */
function builtIn(doc: Doc, plugin: string): unknown {
  void plugin;
  return {
    packets: doc.summary.packets,
    bytes: doc.summary.bytes,
    devices: doc.devices,
    // The application label of the flows a plugin claims is the plugin's result, not a built-in's.
    flows: doc.flows.map(({ application, application_source, ...flow }) =>
      flow.dst_port === 9600 || flow.src_port === 9600 ? flow : { ...flow, application, application_source }
    ),
    events: doc.events.filter((event) => !event.type.startsWith(`${plugin}.`) && event.source !== plugin),
    identities: doc.identities.filter((identity) => identity.source !== plugin),
    first: doc.summary.first_seen,
    last: doc.summary.last_seen,
  };
}

function stats(doc: Doc) {
  return Object.values(doc.stats)[0];
}

/** A plugin named `name` on UDP 9600 whose decode body is `body` (top-level code `top`). */
function plugin(name: string, body: string, top = "", registration = `{ tables: { "udp.port": [9600] } }`) {
  return `${top}
export const dissector = {
  name: "${name}",
  title: "${name} (hostile test plugin)",
  registration: ${registration},
  probe(packet) { return packet.payloadLength > 0; },
  decode(packet, out) { ${body} },
};
`;
}

interface Case {
  name: string;
  source: string;
  /** Expected disabled reason, or null when the plugin is harmless to the engine and stays enabled. */
  reason: RegExp | null;
  check?: (doc: Doc) => void;
}

const CASES: Case[] = [
  {
    name: "loop_decode",
    source: plugin("loop_decode", "while (true) {}"),
    reason: /no answer from decode within 2 s \(watchdog\)/,
    check: (doc) => ok(stats(doc).plugin_frames_lost >= 1),
  },
  {
    name: "loop_probe",
    source: plugin("loop_probe", "return 1;", "", `{ heuristics: ["udp"] }`).replace(
      "probe(packet) { return packet.payloadLength > 0; }",
      "probe() { while (true) {} }",
    ),
    reason: /no answer from probe within 2 s \(watchdog\)/,
  },
  {
    name: "loop_load",
    source: plugin("loop_load", "return 1;", "while (true) {}"),
    reason: /did not finish loading within 2 s \(watchdog\)/,
  },
  {
    name: "allocate",
    source: plugin("allocate", "const keep = []; for (;;) keep.push(new Array(1e6).fill(packet.caplen));"),
    reason: /stopped at its 64 MiB memory limit/,
  },
  {
    name: "allocate_load",
    source: plugin(
      "allocate_load",
      "return 1;",
      "const keep = []; for (;;) keep.push(new Array(1e6).fill(1));",
    ),
    reason: /stopped at its 64 MiB memory limit .*while loading; left out/,
  },
  {
    name: "big_identity",
    source: plugin(
      "big_identity",
      `out.identity(packet, "src", { key: "big.value", value: "x".repeat(1e6) + (n++), confidence: 50 }); return 1;`,
      "let n = 0;",
    ),
    reason: null,
    check: (doc) => {
      ok(stats(doc).observations_cut >= 243, `${stats(doc).observations_cut} values cut`);
      const values = doc.identities.filter((identity) => identity.key === "big.value");
      ok(values.length > 0 && values.every((identity) => identity.value.length <= 1024));
    },
  },
  { name: "deno_exit", source: plugin("deno_exit", "Deno.exit(3);"), reason: /called Deno\.exit\(\)/ },
  { name: "self_close", source: plugin("self_close", "self.close(); return 1;"), reason: /called close\(\)/ },
  {
    name: "write_bytes",
    source: plugin("write_bytes", "packet.bytes.fill(0xff); packet.view.setUint32(0, 0); return 1;"),
    reason: null,
  },
  {
    // Looks for the channel to the engine and posts on the host's port as the host would.
    name: "spy",
    source: plugin(
      "spy",
      `parentPort.postMessage({ type: "loading", index: 0 });
       parentPort.postMessage({ type: "error", message: "forged" });
       out.event(packet, { type: "spy.found", severity: "info", fields: { keys: Object.keys(workerData).sort().join(",") } });
       return 1;`,
      `import { parentPort, workerData } from "node:worker_threads";`,
    ),
    reason: null,
    check: (doc) => {
      const found = doc.events.filter((event) => event.type === "spy.found") as unknown as {
        fields: { keys: string };
      }[];
      ok(found.length > 0);
      for (const event of found) strictEqual(event.fields.keys, "disabled,files");
      strictEqual(stats(doc).plugin_frames_lost, 0);
    },
  },
  { name: "math_floor", source: plugin("math_floor", "return 1;", "Math.floor = () => 0;"), reason: null },
  {
    name: "throw_null",
    source: plugin("throw_null", "throw Object.create(null);"),
    reason: /threw 100 times; last error: a thrown object that is not an Error/,
  },
];

Deno.test({
  name:
    `hostile plugins: the analysis finishes, the plugin is disabled, the built-ins are unchanged${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    const baseline = await analyze();
    for (const hostile of CASES) {
      await t.step(hostile.name, async () => {
        const doc = await analyze(hostile.source, hostile.name);
        deepStrictEqual(builtIn(doc, hostile.name), builtIn(baseline, hostile.name));
        const disabled = stats(doc).disabled_dissectors;
        if (hostile.reason === null) deepStrictEqual(disabled, []);
        else {
          const names = [hostile.name, `${hostile.name}.ts`];
          strictEqual(disabled.length, 1, JSON.stringify(disabled));
          ok(names.includes(disabled[0].name), disabled[0].name);
          match(disabled[0].reason, hostile.reason);
        }
        hostile.check?.(doc);
      });
    }
    await Deno.remove(await folder(), { recursive: true });
  },
});
