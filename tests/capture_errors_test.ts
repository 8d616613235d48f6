/**
 * The errors people hit when starting a live capture, each checked through the real capture worker
 * (in a throw-away network namespace) with its exact one-line message.
 */
import assert from "node:assert/strict";
import { NETNS, Netns } from "./netns.ts";
import { type HarnessEvent, type HarnessRequest, spawnHarness } from "../capture/live/_harness.ts";
import { CAPTURE_PERMISSION_HINT } from "../capture/live/protocol.ts";
import { withDeadline } from "./wait.ts";

const suffix = NETNS.note;
const ignore = NETNS.skip;

/** Runs the harness and returns the error event the worker posted (the capture must not start). */
async function startError(
  prefix: string[],
  request: HarnessRequest,
  env: Record<string, string> = {},
): Promise<Extract<HarnessEvent, { event: "error" }>> {
  const harness = spawnHarness(prefix, request, env);
  const first = await withDeadline(
    harness.ready,
    30_000,
    "the capture worker to start or fail",
    () => harness.stop(),
  );
  if (first.event === "started") await harness.stop();
  const { events, stderr } = await harness.finish();
  const error = events.find((event) => event.event === "error");
  assert.ok(error, `expected an error, got ${JSON.stringify(events)} ${stderr}`);
  assert.ok(!events.some((event) => event.event === "started"), "the capture started");
  const result = events.find((event) => event.event === "result");
  assert.ok(result, "a stopped message follows the error");
  return error as Extract<HarnessEvent, { event: "error" }>;
}

Deno.test({
  name: `capture error: unknown interface lists the available ones${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    const error = await startError(ns.prefix, { options: { iface: "nosuch0" } });
    assert.equal(error.code, "no-such-interface");
    assert.equal(
      error.message,
      'Cannot capture on "nosuch0": no such interface (available: lo, veth-cap, veth-send, any)',
    );
  },
});

Deno.test({
  name: `capture error: interface down says how to bring it up${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    await ns.setUp(ns.captureIface, false);
    const error = await startError(ns.prefix, { options: { iface: ns.captureIface } });
    assert.equal(error.code, "interface-down");
    assert.equal(
      error.message,
      'Cannot capture on "veth-cap": the interface is down; bring it up with: ip link set veth-cap up',
    );
  },
});

Deno.test({
  name: `capture error: an interface going down during the capture ends it with the same message${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    const harness = spawnHarness(ns.prefix, { options: { iface: ns.captureIface } });
    assert.equal((await withDeadline(harness.ready, 30_000, "the capture worker to start")).event, "started");
    await ns.setUp(ns.captureIface, false);
    const timer = setTimeout(() => harness.stop(), 3000); // a deadline: the check below then fails
    const { events } = await harness.finish();
    clearTimeout(timer);
    assert.deepEqual(events.slice(1, 2), [{
      event: "error",
      code: "interface-down",
      message:
        'Cannot capture on "veth-cap": the interface is down; bring it up with: ip link set veth-cap up',
    }]);
    const result = events.find((event) => event.event === "result");
    assert.equal(result?.event === "result" && result.stopReason, null, "it stopped by itself");
  },
});

Deno.test({
  name: `capture error: a filter that does not compile gives libpcap's message and the filter${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    const cases = [
      ["tcp port nosuchservice", "unknown port 'nosuchservice'"],
      ["tcp and (", "can't parse filter expression: syntax error"],
    ];
    for (const [filter, reason] of cases) {
      const error = await startError(ns.prefix, { options: { iface: ns.captureIface, filter } });
      assert.equal(error.code, "bad-filter");
      assert.equal(error.message, `Cannot compile the capture filter "${filter}" for "veth-cap": ${reason}`);
    }
  },
});

/** A home an unprivileged user can write (Deno's cache), removed after `fn`. */
async function withHome(fn: (home: string, env: Record<string, string>) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await Deno.chmod(home, 0o777);
    await fn(home, { DENO_DIR: `${home}/deno`, HOME: home });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

const NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

Deno.test({
  name: `capture error: no permission (not root, no CAP_NET_RAW) says how to get it${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    await withHome(async (_home, env) => {
      const prefix = [...ns.prefix, ...NOBODY, "--inh-caps=-all"];
      const error = await startError(prefix, { options: { iface: ns.captureIface } }, env);
      assert.equal(error.code, "permission-denied");
      assert.equal(
        error.message,
        'Cannot capture on "veth-cap": permission denied (socket: Operation not permitted); ' +
          CAPTURE_PERMISSION_HINT,
      );
      assert.match(error.message, /setcap cap_net_raw\+ep "\$\(readlink -f "\$\(command -v deno\)"\)"/);
      assert.match(error.message, /AmbientCapabilities=CAP_NET_RAW/);
    });
  },
});

Deno.test({
  name: `capture error: the fixes it suggests work (ambient CAP_NET_RAW as systemd sets it, setcap)${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    await withHome(async (home, env) => {
      const request = { options: { iface: ns.captureIface }, stopAfterMs: 100 };
      const ambient = [...ns.prefix, ...NOBODY, "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw"];
      const viaAmbient = await spawnHarness(ambient, request, env).finish();
      assert.equal(viaAmbient.events[0]?.event, "started", viaAmbient.stderr);
      // setcap on a copy of the Deno binary, run by an unprivileged user with no capability of its own.
      const deno = `${home}/deno-bin`;
      await Deno.copyFile(Deno.execPath(), deno);
      await Deno.chmod(deno, 0o755);
      const setcap = await new Deno.Command("setcap", { args: ["cap_net_raw+ep", deno] }).output();
      assert.ok(setcap.success, "setcap (libcap2-bin) works here");
      const viaSetcap = await spawnHarness([...ns.prefix, ...NOBODY, "--inh-caps=-all"], request, env, deno)
        .finish();
      assert.equal(viaSetcap.events[0]?.event, "started", viaSetcap.stderr);
    });
  },
});

/** Real files of the libpcap names the loader tries (from the dynamic linker's cache). */
async function libpcapFiles(): Promise<string[]> {
  const output = await new Deno.Command("ldconfig", { args: ["-p"], stdout: "piped" }).output();
  const paths = [...new TextDecoder().decode(output.stdout).matchAll(/libpcap\.so[.\d]* .*=> (\S+)/g)]
    .map((match) => match[1]);
  return [...new Set(paths.map((path) => Deno.realPathSync(path)))];
}

Deno.test({
  name: `capture error: libpcap missing names the Debian package${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    const files = await libpcapFiles();
    assert.ok(files.length > 0, "libpcap is installed");
    // A private mount namespace where every libpcap file is /dev/null (not an ELF object).
    const hide = files.map((file) => `mount --bind /dev/null '${file}'`).join(" && ");
    const prefix = [
      ...ns.prefix,
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      `${hide} && exec "$@"`,
      "sh",
    ];
    const error = await startError(prefix, { options: { iface: ns.captureIface } });
    assert.equal(error.code, "libpcap-missing");
    assert.equal(
      error.message,
      "Cannot load libpcap: none of libpcap.so.0.8, libpcap.so.1, libpcap.so could be opened; " +
        "install the Debian package libpcap0.8 (apt-get install libpcap0.8)",
    );
  },
});

Deno.test({
  name: `capture error: a worker without FFI permission, and bad options, are refused clearly${suffix}`,
  ignore,
  async fn() {
    await using ns = await Netns.create();
    const denied = await startError(ns.prefix, { options: { iface: ns.captureIface }, withoutFfi: true });
    assert.equal(denied.code, "ffi-denied");
    assert.equal(
      denied.message,
      "Cannot load libpcap: the capture code has no FFI permission (run Deno with --allow-ffi)",
    );
    const bad = await startError(ns.prefix, { options: { iface: ns.captureIface, snaplen: 0 } });
    assert.equal(bad.code, "bad-options");
    assert.equal(
      bad.message,
      'Cannot capture on "veth-cap": snaplen must be an integer from 1 to 262144, got 0',
    );
  },
});
