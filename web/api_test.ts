/**
 * The web API over a real database (PostgreSQL scratch database and PGlite), filled by importing
 * real captures through the persistence path, called in memory. One database per driver for the
 * whole file (a PGlite initdb costs seconds); each group of steps lives in a `_test_*.ts` module.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { testOnDrivers } from "../storage/_testing.ts";
import { ensureFirstAdmin } from "../storage/accounts/bootstrap.ts";
import { SHARED_PCAPS } from "../tests/shared_pcaps.ts";
import { harness, importCaptures, json, TEST_COST } from "./_testing.ts";
import { inventorySteps } from "./_test_inventory.ts";
import { trafficSteps } from "./_test_traffic.ts";
import { insightSteps } from "./_test_insight.ts";
import { exportSteps } from "./_test_export.ts";
import { dhcpSteps } from "./_test_dhcp.ts";
import { alertSteps } from "./_test_alerts.ts";
import { hostileSteps } from "./_test_hostile.ts";
import { roleSteps } from "./_test_roles.ts";
import { accountSteps } from "./_test_accounts.ts";
import { sessionSteps } from "./_test_sessions.ts";

if (SHARED_PCAPS.skip) {
  console.error("web/api_test.ts: the shared captures are absent; the inventory is empty");
}

testOnDrivers("web API /api/v1", async (t, scratch) => {
  await t.step("first start: an admin with a one-time password, only once", async () => {
    const first = await ensureFirstAdmin(scratch.db, TEST_COST);
    strictEqual(first?.username, "admin");
    strictEqual(first.password.length, 20);
    strictEqual(await ensureFirstAdmin(scratch.db, TEST_COST), null, "users exist: nothing created");
    const h = await harness(scratch);
    const login = await json<{ must_change_password: boolean }>(
      await h.request("POST", "/auth/login", { body: { username: "admin", password: first.password } }),
    );
    strictEqual(login.must_change_password, true);
    await scratch.db.query("DELETE FROM users WHERE username <> 'admin'");
    await scratch.db.query("DELETE FROM users WHERE username = 'admin'");
  });
  await importCaptures(scratch);
  const h = await harness(scratch);
  await t.step("health needs no session and says what runs", async () => {
    const health = await json<Record<string, unknown>>(await h.request("GET", "/health"));
    deepStrictEqual(Object.keys(health).sort(), [
      "bus",
      "capture",
      "database",
      "status",
      "uptime_s",
      "version",
    ]);
    strictEqual(health.status, "ok");
    deepStrictEqual(health.database, { status: "ok", driver: scratch.db.driver });
  });
  await inventorySteps(t, h, scratch);
  await trafficSteps(t, h, scratch);
  await insightSteps(t, h, scratch);
  await exportSteps(t, h, scratch);
  await dhcpSteps(t, h, scratch);
  await alertSteps(t, h, scratch);
  await hostileSteps(t, h, scratch);
  await roleSteps(t, h, { matrix: scratch.db.driver === "postgres" });
  await sessionSteps(t, h, scratch);
  await accountSteps(t, h, scratch);
});
