/**
 * Island: upload a capture. The file's bytes go as the body of `POST /api/v1/captures?name=FILE`
 * (XMLHttpRequest, for its upload progress), then `GET /api/v1/captures/{id}` is polled each second
 * for the import's status, progress and new devices until it is done or failed.
 *
 * @module
 */

import { useSignal } from "@preact/signals";
import { formatCount } from "../components/format.ts";
import type { UploadProps } from "./props.ts";

/** A capture as the API answers it. */
interface Capture {
  id: string | number;
  name: string;
  size_bytes: number;
  status: "queued" | "importing" | "done" | "failed";
  progress?: number | null;
  frames?: number | null;
  devices_new?: number | null;
  error?: string | null;
}

function messageOf(status: number, text: string): string {
  try {
    return JSON.parse(text).error.message;
  } catch {
    return `HTTP ${status}`;
  }
}

/** The upload form and the import's progress. */
export function Upload({ labels }: UploadProps) {
  const file = useSignal<File | null>(null);
  const sent = useSignal<number | null>(null);
  const capture = useSignal<Capture | null>(null);
  const error = useSignal<string | null>(null);

  async function poll(id: string | number) {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const answer = await fetch(`/api/v1/captures/${encodeURIComponent(String(id))}`, {
        headers: { accept: "application/json" },
      });
      const text = await answer.text();
      if (!answer.ok) {
        error.value = messageOf(answer.status, text);
        return;
      }
      capture.value = JSON.parse(text);
      if (capture.value!.status === "done" || capture.value!.status === "failed") return;
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    const chosen = file.value;
    if (!chosen) return;
    error.value = null;
    capture.value = null;
    sent.value = 0;
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/captures?name=${encodeURIComponent(chosen.name)}`);
    request.setRequestHeader("content-type", "application/octet-stream");
    request.upload.onprogress = (progress) => {
      if (progress.lengthComputable) sent.value = Math.round((progress.loaded / progress.total) * 100);
    };
    request.onerror = () => {
      sent.value = null;
      error.value = labels.unavailable;
    };
    request.onload = () => {
      sent.value = 100;
      if (request.status === 404) {
        error.value = labels.unavailable;
        return;
      }
      if (request.status !== 202 && request.status !== 201 && request.status !== 200) {
        error.value = messageOf(request.status, request.responseText);
        return;
      }
      const accepted = JSON.parse(request.responseText) as Capture;
      capture.value = accepted;
      poll(accepted.id).catch((failure) => error.value = String(failure));
    };
    request.send(chosen);
  }

  const current = capture.value;
  const busy = sent.value !== null && sent.value < 100;
  return (
    <form
      class="upload"
      onSubmit={submit}
      data-upload-state={current?.status ?? (error.value ? "error" : "idle")}
    >
      <label>
        {labels.file}
        <input
          type="file"
          name="file"
          accept=".pcap,.pcapng,.cap,application/vnd.tcpdump.pcap"
          required
          onChange={(event) => file.value = event.currentTarget.files?.[0] ?? null}
        />
      </label>
      <button type="submit" disabled={busy || !file.value}>{labels.submit}</button>
      {sent.value !== null && (
        <p>
          <label>
            {labels.sending.replace("{percent}", String(sent.value))}
            <progress max={100} value={sent.value} />
          </label>
        </p>
      )}
      {current && (
        <dl class="facts" data-capture-id={String(current.id)}>
          <dt>{labels.status}</dt>
          <dd data-status={current.status}>{labels[current.status] ?? current.status}</dd>
          <dt>{labels.progress}</dt>
          <dd>
            <progress max={1} value={current.progress ?? 0} /> {Math.round((current.progress ?? 0) * 100)} %
          </dd>
          <dt>{labels.frames}</dt>
          <dd>{formatCount(current.frames ?? 0)}</dd>
          <dt>{labels.devices_new}</dt>
          <dd data-devices-new={String(current.devices_new ?? 0)}>{formatCount(current.devices_new ?? 0)}</dd>
          {current.error && (
            <>
              <dt>{labels.error}</dt>
              <dd>{current.error}</dd>
            </>
          )}
        </dl>
      )}
      {current?.status === "done" && <a href="/devices?sort=-first_seen">{labels.see_devices}</a>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
    </form>
  );
}
