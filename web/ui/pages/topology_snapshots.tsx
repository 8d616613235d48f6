/**
 * The snapshots page: the snapshots taken (id, when, why, by whom, how many devices and paths), a
 * button for operators to take one now (through `POST /api/v1/snapshots`, audited there), and the
 * difference between two chosen snapshots (devices added, removed and changed, paths added and
 * removed) with links to its CSV and JSON downloads. Server-rendered only.
 *
 * @module
 */

import type { Context } from "hono";
import { z } from "zod";
import type { ApiEnv } from "../../api/context.ts";
import { type ApiFetch, callApi } from "../api_call.ts";
import { hasRole } from "../../../storage/accounts/users.ts";
import {
  diffSnapshots,
  listSnapshots,
  type SnapshotDevice,
  type SnapshotPath,
} from "../../../storage/read/snapshots.ts";
import { formatBytes, formatCount, formatTime } from "../components/format.ts";
import { Layout } from "../components/layout.tsx";
import { TopologyViews } from "../components/topology_filters.tsx";
import type { PageContext } from "../context.ts";
import { pageQuery } from "../query.ts";
import { htmlAnswer } from "../render.tsx";

const id = z.string().regex(/^\d{1,16}$/).transform(Number);
const SnapshotsQuery = z.object({ a: id.optional(), b: id.optional(), taken: z.string().optional() })
  .passthrough();

function shownValue(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 ? value.join(", ") : "—";
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function DeviceRows({ devices, ctx }: { devices: SnapshotDevice[]; ctx: PageContext }) {
  const { t } = ctx;
  if (devices.length === 0) return <p class="hint">{t("common.empty")}</p>;
  return (
    <div class="table-wrap">
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t("snap.mac")}</th>
            <th scope="col">{t("snap.name")}</th>
            <th scope="col">{t("snap.type")}</th>
            <th scope="col">{t("topo.addresses")}</th>
            <th scope="col">{t("topo.vlans")}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => (
            <tr>
              <td class="mono">{device.mac_address}</td>
              <td>{shownValue(device.name)}</td>
              <td>{device.type}</td>
              <td class="mono">{shownValue(device.ip_addresses)}</td>
              <td class="mono">{shownValue(device.vlans)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PathRows({ paths, ctx }: { paths: SnapshotPath[]; ctx: PageContext }) {
  const { t } = ctx;
  if (paths.length === 0) return <p class="hint">{t("common.empty")}</p>;
  return (
    <div class="table-wrap">
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t("snap.endpoint")}</th>
            <th scope="col">{t("snap.endpoint")}</th>
            <th scope="col">{t("snap.protocols")}</th>
            <th scope="col" class="num">{t("common.packets")}</th>
            <th scope="col" class="num">{t("common.bytes")}</th>
            <th scope="col">{t("common.first_seen")}</th>
            <th scope="col">{t("common.last_seen")}</th>
          </tr>
        </thead>
        <tbody>
          {paths.map((path) => (
            <tr>
              <td class="mono">{path.a}</td>
              <td class="mono">{path.b}</td>
              <td>{path.protocols.join(", ")}</td>
              <td class="num">{formatCount(path.packets)}</td>
              <td class="num">{formatBytes(path.bytes)}</td>
              <td class="mono nowrap">{formatTime(path.first_seen)}</td>
              <td class="mono nowrap">{formatTime(path.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The snapshots page; `error` is the take-now button's refusal. */
export async function snapshotsPage(c: Context<ApiEnv>, ctx: PageContext, error?: string) {
  const { t } = ctx;
  const query = pageQuery(c, SnapshotsQuery);
  const db = c.get("deps").db;
  const snapshots = await listSnapshots(db);
  const diff = query.a !== undefined && query.b !== undefined
    ? await diffSnapshots(db, query.a, query.b)
    : null;
  const operator = ctx.user !== null && hasRole(ctx.user.role, "operator");
  const choose = (name: "a" | "b", chosen: number | undefined) => (
    <label>
      {t(`snap.${name}`)}
      <select name={name}>
        {snapshots.map((snapshot) => (
          <option value={String(snapshot.id)} selected={snapshot.id === chosen}>
            {`#${snapshot.id} · ${formatTime(snapshot.taken_at)}`}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <Layout ctx={ctx} title={t("snap.title")}>
      <TopologyViews ctx={ctx} />
      <p class="note">{t("snap.intro")}</p>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {query.taken ? <p class="ok" role="status">{t("snap.taken", { id: query.taken })}</p> : null}
      {operator
        ? (
          <form method="post" action="/topology/snapshots" id="snapshot-take">
            <button type="submit" class="primary">{t("snap.take")}</button>
          </form>
        )
        : null}
      <div class="table-wrap">
        <table class="grid" id="snapshots">
          <thead>
            <tr>
              <th scope="col" class="num">{t("snap.id")}</th>
              <th scope="col">{t("snap.taken_at")}</th>
              <th scope="col">{t("snap.reason")}</th>
              <th scope="col">{t("snap.by")}</th>
              <th scope="col" class="num">{t("snap.devices")}</th>
              <th scope="col" class="num">{t("snap.paths")}</th>
            </tr>
          </thead>
          <tbody>
            {snapshots.map((snapshot) => (
              <tr data-snapshot={snapshot.id}>
                <td class="num">{snapshot.id}</td>
                <td class="mono nowrap">{formatTime(snapshot.taken_at)}</td>
                <td>{t(`snap.reason.${snapshot.reason}`)}</td>
                <td>{snapshot.taken_by ?? "—"}</td>
                <td class="num">{formatCount(snapshot.devices)}</td>
                <td class="num">{formatCount(snapshot.paths)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {snapshots.length === 0 ? <p class="hint">{t("snap.none")}</p> : null}
      {snapshots.length > 0
        ? (
          <form method="get" action="/topology/snapshots" class="filters" id="snapshot-compare">
            {choose("a", query.a ?? snapshots[Math.min(1, snapshots.length - 1)].id)}
            {choose("b", query.b ?? snapshots[0].id)}
            <button type="submit" class="primary">{t("snap.compare")}</button>
          </form>
        )
        : null}
      {diff && "missing" in diff
        ? <p class="error" role="alert">{t("snap.missing", { id: diff.missing })}</p>
        : null}
      {diff && !("missing" in diff)
        ? (
          <section id="snapshot-diff">
            <h2>{t("snap.diff_title", { a: diff.from.id, b: diff.to.id })}</h2>
            <p>
              <a class="button" href={`/api/v1/snapshots/${diff.from.id}/diff/${diff.to.id}?format=csv`}>
                {t("snap.csv")}
              </a>{" "}
              <a class="button" href={`/api/v1/snapshots/${diff.from.id}/diff/${diff.to.id}?format=json`}>
                {t("snap.json")}
              </a>
            </p>
            <h3>{t("snap.devices_added", { n: diff.devices.added.length })}</h3>
            <DeviceRows devices={diff.devices.added} ctx={ctx} />
            <h3>{t("snap.devices_removed", { n: diff.devices.removed.length })}</h3>
            <DeviceRows devices={diff.devices.removed} ctx={ctx} />
            <h3>{t("snap.devices_changed", { n: diff.devices.changed.length })}</h3>
            {diff.devices.changed.length === 0
              ? <p class="hint">{t("common.empty")}</p>
              : (
                <div class="table-wrap">
                  <table class="grid" id="snapshot-changed">
                    <thead>
                      <tr>
                        <th scope="col">{t("snap.mac")}</th>
                        <th scope="col">{t("snap.name")}</th>
                        <th scope="col">{t("snap.attribute")}</th>
                        <th scope="col">{t("snap.before_after")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {diff.devices.changed.flatMap((device) =>
                        device.changes.map((change) => (
                          <tr>
                            <td class="mono">{device.mac_address}</td>
                            <td>{shownValue(device.name)}</td>
                            <td>{t(`snap.field.${change.field}`)}</td>
                            <td>{`${shownValue(change.before)} → ${shownValue(change.after)}`}</td>
                          </tr>
                        ))
                      )}
                    </tbody>
                  </table>
                </div>
              )}
            <h3>{t("snap.paths_added", { n: diff.paths.added.length })}</h3>
            <PathRows paths={diff.paths.added} ctx={ctx} />
            <h3>{t("snap.paths_removed", { n: diff.paths.removed.length })}</h3>
            <PathRows paths={diff.paths.removed} ctx={ctx} />
          </section>
        )
        : null}
    </Layout>
  );
}

/** POST /topology/snapshots: `POST /api/v1/snapshots`, then the page with the new one. */
export function snapshotPost(api: ApiFetch) {
  return async function snapshotPost(c: Context<ApiEnv>, ctx: PageContext): Promise<Response> {
    const answer = await callApi<{ id: number }>(api, c, "POST", "/snapshots");
    if (answer.body) {
      const headers = new Headers({ location: `/topology/snapshots?taken=${answer.body.id}` });
      for (const cookie of answer.cookies) headers.append("set-cookie", cookie);
      return new Response(null, { status: 303, headers });
    }
    return htmlAnswer(await snapshotsPage(c, ctx, answer.error?.message), answer.status);
  };
}
