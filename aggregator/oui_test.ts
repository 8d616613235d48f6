import { strictEqual } from "node:assert/strict";
import { ouiVendor } from "./oui.ts";

Deno.test("ouiVendor() names the registered organisation, most specific assignment first", () => {
  strictEqual(ouiVendor("00:1b:1b:4e:20:10"), "Siemens AG");
  strictEqual(ouiVendor("00:0c:29:aa:bb:cc"), "VMware, Inc.");
  // 70:B3:D5 is an IEEE block split into 36-bit MA-S assignments: 70:B3:D5:00:60 is a different organisation.
  strictEqual(ouiVendor("70:b3:d5:00:60:01") !== ouiVendor("70:b3:d5:ff:00:01"), true);
});

Deno.test("ouiVendor() gives no vendor for locally administered or unknown MACs", () => {
  strictEqual(ouiVendor("02:00:00:00:00:01"), null, "locally administered");
  strictEqual(ouiVendor("da:76:87:b4:89:98"), null, "randomised");
  strictEqual(ouiVendor("not a mac"), null);
});
