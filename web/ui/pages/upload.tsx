/**
 * Upload a capture (operators): the upload island; without JavaScript, a note on the API route.
 *
 * @module
 */

import type { Context } from "hono";
import type { ApiEnv } from "../../api/context.ts";
import { Layout } from "../components/layout.tsx";
import { Island } from "../components/island.tsx";
import type { PageContext } from "../context.ts";
import type { UploadProps } from "../islands/props.ts";

/** The upload page. */
export function uploadPage(_c: Context<ApiEnv>, ctx: PageContext) {
  const { t } = ctx;
  const props: UploadProps = {
    labels: {
      file: t("upload.file"),
      submit: t("upload.submit"),
      sending: t("upload.sending"),
      status: t("upload.status"),
      progress: t("upload.progress"),
      frames: t("upload.frames"),
      devices_new: t("upload.devices_new"),
      error: t("upload.error"),
      unavailable: t("upload.unavailable"),
      see_devices: t("upload.see_devices"),
      queued: t("upload.status.queued"),
      importing: t("upload.status.importing"),
      done: t("upload.status.done"),
      failed: t("upload.status.failed"),
    },
  };
  return Promise.resolve(
    <Layout ctx={ctx} title={t("upload.title")}>
      <p>{t("upload.intro")}</p>
      <section class="card narrow">
        <Island name="Upload" props={props}>
          <p class="note">{t("upload.needs_js")}</p>
        </Island>
      </section>
    </Layout>,
  );
}
