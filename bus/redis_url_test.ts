import { deepStrictEqual, throws } from "node:assert/strict";
import { maskRedisUrl, parseRedisUrl, RedisUrlError } from "./redis_url.ts";

Deno.test("parseRedisUrl() accepts redis and rediss URLs", () => {
  deepStrictEqual(parseRedisUrl("redis://127.0.0.1:6379"), {
    url: "redis://127.0.0.1:6379",
    display: "redis://127.0.0.1:6379",
    address: "127.0.0.1:6379",
  });
  deepStrictEqual(parseRedisUrl("rediss://app:s3cret@cache.example:6380/2"), {
    url: "rediss://app:s3cret@cache.example:6380/2",
    display: "rediss://app:***@cache.example:6380/2",
    address: "cache.example:6380",
  });
  deepStrictEqual(parseRedisUrl("redis://[::1]").address, "[::1]:6379");
});

Deno.test("parseRedisUrl() names what is wrong, password masked", async (t) => {
  const cases: [string, string][] = [
    ["", "it is empty"],
    ["127.0.0.1:6379", "it has no scheme (expected redis://host:port)"],
    ["http://user:pw@host:6379", `scheme is "http:", expected "redis:" or "rediss:"`],
    ["redis://:hunter2@host:99999", "it is not a URL (expected redis://[user[:password]@]host[:port][/db])"],
    ["redis://host/cache", `database is "cache", expected a number such as /0`],
    ["redis://host:6379?password=x", `"?password=x" is not understood (no query or fragment is read)`],
  ];
  for (const [url, detail] of cases) {
    await t.step(url || "(empty)", () => {
      throws(() => parseRedisUrl(url, "REDIS_URL"), (error: Error) => {
        deepStrictEqual(error instanceof RedisUrlError, true);
        deepStrictEqual(error.message, `Cannot use REDIS_URL "${maskRedisUrl(url)}": ${detail}`);
        deepStrictEqual(/hunter2|:pw@/.test(error.message), false);
        return true;
      });
    });
  }
});

Deno.test("maskRedisUrl() hides the password and nothing else", () => {
  deepStrictEqual(maskRedisUrl("redis://:hunter2@host:99999"), "redis://:***@host:99999");
  deepStrictEqual(maskRedisUrl("redis://user:p@ss@host"), "redis://user:***@host");
  deepStrictEqual(maskRedisUrl("redis://user:pa/ss@host"), "redis://user:***@host");
  deepStrictEqual(maskRedisUrl("redis://host:6379"), "redis://host:6379");
});
