import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { LoginRateLimiter } from "./rate_limit.ts";

Deno.test("LoginRateLimiter holds a user past the limit until the window ends", () => {
  let now = 1_000_000;
  const limiter = new LoginRateLimiter({ perUser: 2, perAddress: 10, windowSeconds: 60, now: () => now });
  limiter.fail("10.0.0.1", "Alice");
  strictEqual(limiter.blocked("10.0.0.2", "alice"), null, "one failure: allowed");
  limiter.fail("10.0.0.1", "alice");
  deepStrictEqual(
    limiter.blocked("10.0.0.2", "ALICE"),
    { retryAfter: 60, by: "user" },
    "names compare without case",
  );
  now += 59_500;
  deepStrictEqual(limiter.blocked(null, "alice"), { retryAfter: 1, by: "user" });
  now += 500;
  strictEqual(limiter.blocked(null, "alice"), null, "the window ended");
});

Deno.test("LoginRateLimiter holds an address; a success clears only the user", () => {
  const limiter = new LoginRateLimiter({ perUser: 3, perAddress: 3, windowSeconds: 60 });
  limiter.fail("10.0.0.1", "a");
  limiter.fail("10.0.0.1", "b");
  limiter.fail("10.0.0.1", "a");
  strictEqual(limiter.blocked("10.0.0.1", "c")?.by, "address");
  strictEqual(limiter.blocked("10.0.0.9", "c"), null);
  limiter.fail("10.0.0.2", "a");
  strictEqual(limiter.blocked("10.0.0.9", "a")?.by, "user");
  limiter.succeed("a");
  strictEqual(limiter.blocked("10.0.0.9", "a"), null);
  strictEqual(limiter.blocked("10.0.0.1", "a")?.by, "address", "the address stays held");
});

Deno.test("LoginRateLimiter stays bounded under a flood of made-up names", () => {
  const limiter = new LoginRateLimiter({
    perUser: 5,
    perAddress: 1_000_000,
    windowSeconds: 60,
    maxEntries: 1000,
  });
  for (let i = 0; i < 10_000; i++) limiter.fail("10.0.0.1", `user${i}`);
  ok(limiter.size <= 1000, `${limiter.size} windows`);
  strictEqual(
    limiter.blocked("10.0.0.1", "x"),
    null,
    "the address window survives (it is refreshed, not oldest)",
  );
});
