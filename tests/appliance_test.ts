/**
 * The appliance as a user meets it, over real HTTP: `deno task start --pcap FILE` imports a shared
 * capture into the same devices as `deno task analyze`, keeps serving, takes uploads (202, then
 * done, its devices in the inventory and announced on the live WebSocket with the rates; too large:
 * 413 and nothing kept; not a capture: 400; a viewer: 403) and stops cleanly on SIGTERM.
 *
 * @module
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { REPOSITORY, signIn, startAppliance } from "./_appliance.ts";
import { SHARED_PCAPS, sharedCapture } from "./shared_pcaps.ts";
import { runCli } from "./run_cli.ts";
import { waitFor } from "./wait.ts";

/** The MAC addresses `analyze` finds in a capture, and the types of its events. */
async function analyzed(path: string): Promise<{ macs: string[]; events: string[] }> {
  const run = await runCli(["analyze", path, "--json", "--no-metrics"]);
  strictEqual(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  const macs = (report.devices as { mac_address: string }[]).map((device) => device.mac_address).sort();
  strictEqual(macs.length, report.summary.devices);
  const events = [...new Set((report.events as { type: string }[]).map((event) => event.type))].sort();
  return { macs, events };
}

async function analyzedMacs(path: string): Promise<string[]> {
  return (await analyzed(path)).macs;
}

/** The uploaded files kept (not the list of imports beside them). */
function uploadsIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) => name.endsWith(".upload"))
      .sort();
  } catch {
    return [];
  }
}

Deno.test({
  name: `start --pcap imports like analyze, then serves uploads and the live feed${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    const first = sharedCapture("modbus_tcp_test_data_part1.pcap");
    const second = sharedCapture("profinet_dcp_set_ip.pcap");
    const dataDir = `data/.test-appliance-${Deno.pid}`;
    const uploads = join(REPOSITORY, dataDir, "uploads");
    const app = await startAppliance(["--pcap", first, "--data-dir", dataDir], {
      NETSENTINEL_WEB_UPLOAD_MAX_MB: "1",
      NETSENTINEL_EXPORT_S3_SECRET_KEY: "a-secret-never-shown",
    });
    let stopped = false;
    try {
      const admin = await signIn(app.base, "admin", app.password, "admin-password-123");

      await t.step("--pcap: the file's devices, as analyze finds them; then it keeps serving", async () => {
        const expected = await analyzedMacs(first);
        let list: { items: { name: string; status: string; uploaded_by: string; frames: number }[] } = {
          items: [],
        };
        await waitFor(
          async () => (list = await (await admin.api("GET", "/captures")).json()).items[0]?.status === "done",
          120_000,
          "the --pcap import to end",
          100,
        );
        deepStrictEqual(
          list.items.map(({ name, uploaded_by }) => ({ name, uploaded_by })),
          [{ name: "modbus_tcp_test_data_part1.pcap", uploaded_by: "command line" }],
        );
        strictEqual(list.items[0].frames, 118);
        const devices = await (await admin.api("GET", "/devices?page_size=500&sort=mac")).json();
        strictEqual(devices.total, expected.length);
        deepStrictEqual(devices.items.map((d: { mac_address: string }) => d.mac_address), expected);
        const health = await (await fetch(`${app.base}/api/v1/health`)).json();
        deepStrictEqual([health.status, health.capture.mode, health.capture.demo], ["ok", "files", false]);
        const status = await (await admin.api("GET", "/capture/status")).json();
        deepStrictEqual([status.mode, status.totals.packets, status.uploads], ["files", 118, []]);
      });

      await t.step("Settings shows the whole running configuration, secrets masked", async () => {
        const page = await fetch(`${app.base}/settings`, { headers: { cookie: admin.cookie } });
        strictEqual(page.status, 200);
        const html = await page.text();
        for (const key of ["retention_days", "max_flows", "upload_max_mb", "s3_endpoint"]) {
          ok(html.includes(key), `Settings shows ${key}`);
        }
        ok(!html.includes("a-secret-never-shown"), "the S3 secret is not shown");
        ok(/s3_secret_key[^\n]*\*\*\*/.test(html), "the S3 secret is there, masked");
      });

      await t.step("a viewer reads the imports but cannot upload (403)", async () => {
        const created = await admin.api("POST", "/users", {
          username: "viewer1",
          password: "viewer-password-1",
          role: "viewer",
        });
        strictEqual(created.status, 201, await created.clone().text());
        await created.body?.cancel();
        const viewer = await signIn(app.base, "viewer1", "viewer-password-1", "viewer-password-2");
        const refused = await viewer.api("POST", "/captures?name=x.pcap", await Deno.readFile(second), {
          "content-type": "application/octet-stream",
        });
        strictEqual(refused.status, 403);
        strictEqual((await refused.json()).error.code, "forbidden");
        strictEqual((await viewer.api("GET", "/captures")).status, 200);
        deepStrictEqual(uploadsIn(uploads), [], "nothing written");
      });

      await t.step("an upload is imported: 202, done, its devices stored and announced live", async () => {
        const known = await analyzedMacs(first);
        const added = (await analyzedMacs(second)).filter((mac) => !known.includes(mac));
        ok(added.length > 0, "the second capture has devices of its own");
        const messages: Record<string, unknown>[] = [];
        const socket = new WebSocket(`${app.base.replace("http", "ws")}/api/v1/ws/live`, {
          headers: { cookie: admin.cookie, origin: app.base },
        } as unknown as string[]);
        socket.onmessage = (event) => messages.push(JSON.parse(event.data));
        try {
          await waitFor(() => messages.some((m) => m.type === "rates"), 30_000, "a rates message", 50);
          const rates = messages.find((m) => m.type === "rates")!;
          deepStrictEqual(Object.keys(rates).sort(), [
            "at",
            "bytes_per_s",
            "drops",
            "flows",
            "packets_per_s",
            "type",
          ]);
          ok(Math.abs(Date.parse(rates.at as string) - Date.now()) < 60_000);
          strictEqual(rates.flows, (await (await admin.api("GET", "/flows?page_size=1")).json()).total);

          const bytes = await Deno.readFile(second);
          const answer = await admin.api("POST", "/captures?name=profinet.pcap", bytes, {
            "content-type": "application/vnd.tcpdump.pcap",
          });
          strictEqual(answer.status, 202);
          const accepted = await answer.json();
          deepStrictEqual(
            { ...accepted, id: typeof accepted.id },
            { id: "string", name: "profinet.pcap", size_bytes: bytes.length, status: "queued" },
          );
          let record: Record<string, unknown> = {};
          await waitFor(
            async () =>
              (record = await (await admin.api("GET", `/captures/${accepted.id}`)).json()).status === "done",
            120_000,
            "the upload to be imported",
            100,
          );
          deepStrictEqual(
            [record.progress, record.devices_new, record.error, record.uploaded_by],
            [1, added.length, null, "admin"],
          );
          ok(typeof record.finished_at === "string" && typeof record.uploaded_at === "string");
          for (const mac of added) {
            const found = await (await admin.api("GET", `/devices?q=${mac}`)).json();
            strictEqual(found.total, 1, mac);
          }
          await waitFor(
            () =>
              added.every((mac) =>
                messages.some((m) =>
                  m.type === "device" && (m.device as { mac_address: string }).mac_address === mac
                )
              ),
            30_000,
            "a device message for each new device",
            50,
          );
          const device = messages.find((m) => m.type === "device")!.device as Record<string, unknown>;
          deepStrictEqual(Object.keys(device).sort(), [
            "device_type",
            "display_name",
            "first_seen",
            "id",
            "ip_addresses",
            "mac_address",
            "oui_vendor",
          ]);
          const { events } = await analyzed(second);
          ok(events.length > 0, "the second capture has events");
          const announced = () =>
            [
              ...new Set(
                messages.filter((m) => m.type === "event").map((m) => (m.event as { type: string }).type),
              ),
            ].sort();
          await waitFor(() => announced().length === events.length, 30_000, "an event message per type", 50);
          deepStrictEqual(announced(), events, "each event type analyze finds is announced");
          const event = messages.find((m) => m.type === "event")!.event as Record<string, unknown>;
          deepStrictEqual(Object.keys(event).sort(), [
            "at",
            "device_id",
            "id",
            "message",
            "severity",
            "type",
          ]);
          ok(String(event.message).startsWith(`${event.type}`), String(event.message));
          const audit = await (await admin.api("GET", "/audit?action=capture.upload")).json();
          strictEqual(audit.items.length, 1);
          deepStrictEqual(audit.items[0].details, { name: "profinet.pcap", size_bytes: bytes.length });
          strictEqual(audit.items[0].username, "admin");
        } finally {
          socket.close();
        }
      });

      await t.step(
        "the live feed: a read token needs no Origin; a cookie from another origin is refused",
        async () => {
          const created = await admin.api("POST", "/tokens", { name: "feed", scope: "read" });
          strictEqual(created.status, 201);
          const { token } = await created.json();
          const url = `${app.base.replace("http", "ws")}/api/v1/ws/live`;
          const outcome = (headers: Record<string, string>) =>
            new Promise<string>((resolve) => {
              const socket = new WebSocket(url, { headers } as unknown as string[]);
              socket.onmessage = (event) => {
                resolve(JSON.parse(event.data).type);
                socket.close();
              };
              socket.onerror = () => resolve("refused");
            });
          strictEqual(await outcome({ authorization: `Bearer ${token}` }), "rates");
          strictEqual(await outcome({ cookie: admin.cookie, origin: "https://evil.example" }), "refused");
          strictEqual(await outcome({ cookie: admin.cookie }), "refused");
          strictEqual(await outcome({}), "refused");
        },
      );

      await t.step(
        "refusals keep nothing: too large 413, not a capture 400, bad name or type 400/415",
        async () => {
          const before = uploadsIn(uploads);
          const count = (await (await admin.api("GET", "/captures")).json()).items.length;
          const large = new Uint8Array(1048576 + 4096);
          large.set([0xd4, 0xc3, 0xb2, 0xa1]);
          const refused = await admin.api("POST", "/captures?name=large.pcap", large, {
            "content-type": "application/octet-stream",
          });
          strictEqual(refused.status, 413);
          strictEqual((await refused.json()).error.code, "too_large");
          // Streamed without a length: the server stops reading at the limit.
          const chunks = [
            large.subarray(0, 65536),
            ...Array.from({ length: 20 }, () => new Uint8Array(65536)),
          ];
          const streamed = await fetch(`${app.base}/api/v1/captures?name=streamed.pcap`, {
            method: "POST",
            headers: { cookie: admin.cookie, origin: app.base, "content-type": "application/octet-stream" },
            body: ReadableStream.from(chunks),
            duplex: "half",
          } as RequestInit);
          strictEqual(streamed.status, 413);
          strictEqual((await streamed.json()).error.code, "too_large");
          const bad = await admin.api(
            "POST",
            "/captures?name=notes.txt",
            new TextEncoder().encode("hello, world"),
            {
              "content-type": "application/octet-stream",
            },
          );
          strictEqual(bad.status, 400);
          strictEqual((await bad.json()).error.field, "body");
          const pcap = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]);
          for (
            const [query, type, status, field] of [
              ["", "application/octet-stream", 400, "name"],
              ["?name=../etc/x.pcap", "application/octet-stream", 400, "name"],
              ["?name=x.pcap&extra=1", "application/octet-stream", 400, "extra"],
              ["?name=x.pcap", "multipart/form-data; boundary=x", 415, undefined],
            ] as const
          ) {
            const answer = await admin.api("POST", `/captures${query}`, pcap, { "content-type": type });
            strictEqual(answer.status, status, `${query} ${type}`);
            strictEqual((await answer.json()).error.field, field, `${query} ${type}`);
          }
          const missing = await admin.api("GET", "/captures/12345");
          strictEqual(missing.status, 404);
          strictEqual((await missing.json()).error.code, "not_found");
          deepStrictEqual(uploadsIn(uploads), before, "no file kept");
          strictEqual((await (await admin.api("GET", "/captures")).json()).items.length, count);
        },
      );

      await t.step("SIGTERM stops it cleanly", async () => {
        stopped = true;
        strictEqual(await app.stop(), 0, app.lines.join("\n"));
        ok(app.lines.some((line) => /\d+ batches committed to pglite/.test(line)), app.lines.join("\n"));
      });

      await t.step("the list of imports outlives a restart", async () => {
        const third = sharedCapture("qinq_8021ad_arp.pcap");
        const again = await startAppliance(["--pcap", third, "--data-dir", dataDir]);
        try {
          const user = await signIn(again.base, "admin", "admin-password-123");
          let items: { id: string; name: string; status: string }[] = [];
          await waitFor(
            async () =>
              (items = (await (await user.api("GET", "/captures")).json()).items)[0]?.status === "done",
            120_000,
            "the new import",
            100,
          );
          deepStrictEqual(items.map(({ id, name, status }) => ({ id, name, status })), [
            { id: "3", name: "qinq_8021ad_arp.pcap", status: "done" },
            { id: "2", name: "profinet.pcap", status: "done" },
            { id: "1", name: "modbus_tcp_test_data_part1.pcap", status: "done" },
          ]);
        } finally {
          strictEqual(await again.stop(), 0, again.lines.join("\n"));
        }
      });
    } finally {
      if (!stopped) await app.stop();
      await Deno.remove(join(REPOSITORY, dataDir), { recursive: true }).catch(() => {});
    }
  },
});
