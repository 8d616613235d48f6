import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { uploaderArgs } from "./uploader_process.ts";

Deno.test("the uploader loads no database, configuration or file code: only aws4fetch, age-encryption and export/", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(new URL("./uploader.ts", import.meta.url))],
    stdout: "piped",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: { specifier: string }[] };
  const root = new URL("..", import.meta.url).href;
  const local = graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(root)).map((s) =>
    s.slice(root.length)
  );
  deepStrictEqual(local.filter((path) => !path.startsWith("export/")), []);
  const npm = graph.modules.map((m) => m.specifier).filter((s) => s.startsWith("npm:"))
    .map((s) => s.replace(/^npm:\/?/, "").replace(/@[^@]+$/, ""));
  deepStrictEqual([...new Set(npm)].sort(), ["age-encryption", "aws4fetch"]);
});

Deno.test("uploaderArgs() gives the uploader one permission: the endpoint's host and port", () => {
  const args = uploaderArgs("s3.ca-1.cloud.ovh.net:443");
  strictEqual(
    args.filter((arg) => arg.startsWith("--allow")).join(" "),
    "--allow-net=s3.ca-1.cloud.ovh.net:443",
  );
  match(args.at(-1)!, /export\/uploader\.ts$/);
  strictEqual(uploaderArgs(null).some((arg) => arg.startsWith("--allow")), false);
});
