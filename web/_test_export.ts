/**
 * Steps of web/api_test.ts: the CMDB export (CSV and JSON) of the imported captures, parsed back
 * and compared with every page of GET /devices; a device named with quotes, commas, a line break
 * and a formula round-trips; the stream reads the table a page at a time.
 */

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ScratchDatabase } from "../storage/_testing.ts";
import type { Queryable } from "../storage/database.ts";
import { CMDB_COLUMNS, cmdbStream, csvCellValue } from "../storage/read/cmdb.ts";
import type { DeviceSummary } from "../storage/read/devices.ts";
import { type Harness, json } from "./_testing.ts";
import { allPages } from "./_test_inventory.ts";

/** Records of an RFC 4180 document (CRLF or LF line ends, quoted fields with doubled quotes). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") continue;
    else if (char === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (quoted) throw new Error("Cannot parse CSV: a quoted field is not closed");
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

/** A device field as the CSV writes it, before quoting. */
function asCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return Array.isArray(value) ? value.join(" ") : String(value);
}

/** The export steps. */
export async function exportSteps(t: Deno.TestContext, h: Harness, scratch: ScratchDatabase): Promise<void> {
  const cookie = h.as.viewer.cookie;
  const today = new Date().toISOString().slice(0, 10);

  await t.step(
    "export/cmdb CSV: an attachment with every device of GET /devices, field by field",
    async () => {
      const answer = await h.request("GET", "/export/cmdb?format=csv", { cookie });
      strictEqual(answer.status, 200);
      strictEqual(answer.headers.get("content-type"), "text/csv; charset=utf-8");
      strictEqual(
        answer.headers.get("content-disposition"),
        `attachment; filename="netsentinel-cmdb-${today}.csv"`,
      );
      const [header, ...rows] = parseCsv(await answer.text());
      deepStrictEqual(header, [...CMDB_COLUMNS]);
      const listed = (await allPages<DeviceSummary>(h, cookie, "/devices?sort=mac", 7))
        .sort((a, b) => a.id - b.id);
      ok(listed.length >= 10);
      strictEqual(rows.length, listed.length);
      rows.forEach((row, i) => {
        deepStrictEqual(row.map(csvCellValue), CMDB_COLUMNS.map((column) => asCell(listed[i][column])));
      });
    },
  );

  await t.step("export/cmdb JSON: one array equal to every page of GET /devices", async () => {
    const answer = await h.request("GET", "/export/cmdb?format=json", { cookie });
    strictEqual(answer.headers.get("content-type"), "application/json; charset=utf-8");
    strictEqual(
      answer.headers.get("content-disposition"),
      `attachment; filename="netsentinel-cmdb-${today}.json"`,
    );
    const exported = await json<DeviceSummary[]>(answer);
    const listed = (await allPages<DeviceSummary>(h, cookie, "/devices", 500)).sort((a, b) => a.id - b.id);
    deepStrictEqual(exported, listed);
  });

  await t.step(
    'export/cmdb: a name with ", comma, line break and =cmd round-trips, neutralised',
    async () => {
      const [{ id }] = await scratch.db.query<{ id: number }>(
        "SELECT id::int AS id FROM devices ORDER BY id LIMIT 1",
      );
      const names = [
        '=cmd|" /C calc"!A0, then\r\nline two',
        "+1,2",
        "-x",
        "@SUM(A1)",
        'plain "quoted", named',
      ];
      const operator = h.as.operator.cookie;
      for (const name of names) {
        await json(
          await h.request("PATCH", `/devices/${id}`, { cookie: operator, body: { device_name: name } }),
        );
        const text = await (await h.request("GET", "/export/cmdb", { cookie })).text();
        const [header, ...rows] = parseCsv(text);
        const column = header.indexOf("device_name");
        const row = rows.find((r) => r[0] === String(id))!;
        const raw = row[column];
        strictEqual(/^[=+\-@]/.test(raw), false, `no cell starts a formula: ${JSON.stringify(raw)}`);
        strictEqual(csvCellValue(raw), name);
        strictEqual(rows.length, (await scratch.db.query("SELECT 1 FROM devices")).length, "no record split");
      }
      await json(
        await h.request("PATCH", `/devices/${id}`, { cookie: operator, body: { device_name: null } }),
      );
    },
  );

  await t.step("export/cmdb streams a page of devices per query, on demand", async () => {
    const statements: string[] = [];
    const counting: Queryable = {
      query: (sql, params) => {
        statements.push(sql);
        return scratch.db.query(sql, params);
      },
      exec: (script) => scratch.db.exec(script),
      copyFrom: (statement, rows) => scratch.db.copyFrom(statement, rows),
    };
    const devices = (await scratch.db.query("SELECT 1 FROM devices")).length;
    const reader = cmdbStream(counting, "csv", { pageRows: 3 }).getReader();
    const first = await reader.read();
    strictEqual(statements.length, 1, "the first chunk needs one query");
    strictEqual(parseCsv(new TextDecoder().decode(first.value)).length, 1 + 3);
    let chunks = 1;
    while (!(await reader.read()).done) chunks++;
    strictEqual(statements.length, Math.floor(devices / 3) + 1);
    strictEqual(chunks, Math.ceil(devices / 3));
    ok(statements.every((sql) => /WHERE d\.id > \$1 ORDER BY d\.id LIMIT \$2/.test(sql)), "keyset paging");
  });

  await t.step("export/cmdb: a bad format is a 400 naming it", async () => {
    const body = await json<{ error: { field: string } }>(
      await h.request("GET", "/export/cmdb?format=xlsx", { cookie }),
      400,
    );
    strictEqual(body.error.field, "format");
  });
}
