/**
 * The snapshots and zones pages in memory (no browser): the snapshot list, the take-now button
 * (operators; a viewer gets 403), the difference of two snapshots around a device's rename, and the
 * zone forms (admins create, change and delete a zone, audited; an operator gets 403). One PGlite
 * database with a shared capture imported.
 */

import { ok, strictEqual } from "node:assert/strict";
import { DRIVERS } from "../../storage/_testing.ts";
import { SHARED_PCAPS } from "../../tests/shared_pcaps.ts";
import { harness, importCaptures, ORIGIN } from "../_testing.ts";

Deno.test({
  name: `the snapshots and zones pages [pglite]${SHARED_PCAPS.note}`,
  ignore: SHARED_PCAPS.skip,
  async fn(t) {
    const scratch = await DRIVERS.find((driver) => driver.name === "pglite")!.open();
    try {
      await importCaptures(scratch, ["s7comm_reading_plc_status.pcap"]);
      const h = await harness(scratch);
      const page = async (path: string, cookie: string, fields?: Record<string, string>) => {
        const headers = new Headers({ cookie });
        if (fields) {
          headers.set("origin", ORIGIN);
          headers.set("content-type", "application/x-www-form-urlencoded");
        }
        return await h.app.fetch(
          new Request(`${ORIGIN}${path}`, {
            method: fields ? "POST" : "GET",
            headers,
            body: fields ? new URLSearchParams(fields) : undefined,
          }),
          { remoteAddr: { hostname: "192.0.2.20" } },
        );
      };
      const snapshotIds = async () =>
        (await scratch.db.query<{ id: number }>("SELECT id::int AS id FROM inventory_snapshots ORDER BY id"))
          .map((
            row,
          ) => row.id);
      const audits = async (action: string) =>
        (await scratch.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = $1", [
          action,
        ]))[0].n;

      await t.step("a viewer sees the page and its links, but cannot take a snapshot (403)", async () => {
        const answer = await page("/topology/snapshots", h.as.viewer.cookie);
        strictEqual(answer.status, 200);
        const html = await answer.text();
        ok(html.includes('href="/topology/snapshots"') && html.includes('href="/topology/zones"'));
        ok(!html.includes('id="snapshot-take"'), "no take-now button for a viewer");
        strictEqual((await page("/topology/snapshots", h.as.viewer.cookie, {})).status, 403);
        strictEqual((await snapshotIds()).length, 0);
        const map = await (await page("/topology/matrix", h.as.viewer.cookie)).text();
        ok(map.includes('href="/topology/snapshots"'), "the map views link to the snapshots");
      });

      await t.step("an operator takes snapshots around a rename; the diff shows the change", async () => {
        const before = await page("/topology/snapshots", h.as.operator.cookie, {});
        strictEqual(before.status, 303);
        const [first] = await snapshotIds();
        strictEqual(before.headers.get("location"), `/topology/snapshots?taken=${first}`);
        strictEqual(await audits("snapshot.create"), 1);

        const device = (await scratch.db.query<{ id: number; mac: string }>(
          "SELECT id::int AS id, mac_address::text AS mac FROM devices ORDER BY id LIMIT 1",
        ))[0];
        const renamed = await page(`/devices/${device.id}`, h.as.operator.cookie, {
          device_name: "Renamed PLC",
          device_type: "",
          notes: "",
        });
        strictEqual(renamed.status, 303);
        strictEqual((await page("/topology/snapshots", h.as.operator.cookie, {})).status, 303);
        const [a, b] = await snapshotIds();

        const list = await (await page("/topology/snapshots", h.as.operator.cookie)).text();
        ok(list.includes('id="snapshot-take"'));
        ok(list.includes(`data-snapshot="${a}"`) && list.includes(`data-snapshot="${b}"`));
        ok(list.includes(h.as.operator.user.username), "the snapshot says who took it");

        const diff = await page(`/topology/snapshots?a=${a}&b=${b}`, h.as.viewer.cookie);
        strictEqual(diff.status, 200);
        const html = await diff.text();
        const changed = html.slice(html.indexOf('id="snapshot-changed"'));
        ok(html.includes('id="snapshot-changed"'), "a changed device is listed");
        ok(changed.includes(device.mac) && changed.includes("Renamed PLC") && changed.includes("→"));
        ok(html.includes(`/api/v1/snapshots/${a}/diff/${b}?format=csv`));
        ok(html.includes(`/api/v1/snapshots/${a}/diff/${b}?format=json`));

        const csv = await page(`/api/v1/snapshots/${a}/diff/${b}?format=csv`, h.as.viewer.cookie);
        strictEqual(csv.status, 200);
        ok((await csv.text()).includes("Renamed PLC"));
        strictEqual((await page(`/topology/snapshots?a=${a}&b=999999`, h.as.viewer.cookie)).status, 200);
      });

      await t.step(
        "an admin creates, changes and deletes a zone, audited; an operator gets 403",
        async () => {
          const refused = await page("/topology/zones", h.as.operator.cookie, { name: "Cell", vlan_id: "7" });
          strictEqual(refused.status, 403);
          const operatorView = await page("/topology/zones", h.as.operator.cookie);
          strictEqual(operatorView.status, 200);
          const operatorHtml = await operatorView.text();
          ok(!operatorHtml.includes('id="zone-create"'), "no create form for an operator");
          ok(operatorHtml.includes('id="zones"'));

          const created = await page("/topology/zones", h.as.admin.cookie, {
            name: "Control cell",
            vlan_id: "",
            subnet: "192.168.1.40/32",
            purdue_level: "1",
            description: "PLCs",
          });
          strictEqual(created.status, 303);
          const zone = (await scratch.db.query<{ id: number }>("SELECT id::int AS id FROM zones"))[0];
          strictEqual(await audits("zone.create"), 1);
          let html = await (await page("/topology/zones", h.as.admin.cookie)).text();
          ok(html.includes(`data-zone="${zone.id}"`) && html.includes("Control cell"));
          ok(html.includes("192.168.1.40/32") && html.includes('id="zone-create"'));
          const conduits = html.slice(html.indexOf('id="conduits"'));
          ok(html.includes('id="conduits"'), "the zone's traffic is a conduit");
          ok(conduits.includes("Control cell") && conduits.includes("subnet:192.168.1.0/24"), conduits);

          const bad = await page("/topology/zones", h.as.admin.cookie, { name: "No match" });
          strictEqual(bad.status, 400);
          ok((await bad.text()).includes('id="zone-error"'));

          const edited = await page(`/topology/zones/${zone.id}`, h.as.admin.cookie, {
            action: "update",
            name: "Packing cell",
            vlan_id: "",
            subnet: "192.168.1.40/32",
            purdue_level: "1",
            description: "",
          });
          strictEqual(edited.status, 303);
          strictEqual(await audits("zone.update"), 1);
          html = await (await page("/topology/zones", h.as.viewer.cookie)).text();
          ok(html.includes("Packing cell") && !html.includes("Control cell"));
          ok(!html.includes('id="zone-create"'), "a viewer gets no forms");

          strictEqual(
            (await page(`/topology/zones/${zone.id}`, h.as.operator.cookie, { action: "delete" })).status,
            403,
          );
          const deleted = await page(`/topology/zones/${zone.id}`, h.as.admin.cookie, { action: "delete" });
          strictEqual(deleted.status, 303);
          strictEqual(await audits("zone.delete"), 1);
          strictEqual((await scratch.db.query("SELECT 1 FROM zones")).length, 0);
        },
      );
    } finally {
      await scratch.dispose();
    }
  },
});
