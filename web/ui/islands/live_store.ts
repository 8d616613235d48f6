/**
 * The live socket of the dashboard (`WS /api/v1/ws/live`), shared by the live islands through
 * signals: the latest rates, and the devices and events announced since the page loaded. One
 * connection per page, opened by the first island that asks; when the server has no live socket
 * (or it drops), the islands keep what the server rendered and the socket is retried, slower and
 * slower.
 *
 * Messages: `{"type":"rates","at","packets_per_s","bytes_per_s","drops","flows"}` each second,
 * `{"type":"device","device":{…}}`, `{"type":"event","event":{…}}`.
 *
 * @module
 */

import { signal } from "@preact/signals";
import type { LiveDevice, LiveEvent } from "../../../storage/live_feed.ts";

/** The `rates` message. */
export interface LiveRates {
  at: string;
  packets_per_s: number;
  bytes_per_s: number;
  drops: number;
  flows: number;
}

/** A device and an event as the socket announces them: the feed's own types (type-only: no code). */
export type { LiveDevice, LiveEvent };

/** Connection state. */
export const liveStatus = signal<"connecting" | "on" | "off">("connecting");
/** The latest rates, or null before the first. */
export const liveRates = signal<LiveRates | null>(null);
/** Devices announced since the page loaded, newest first. */
export const liveDevices = signal<LiveDevice[]>([]);
/** Events announced since the page loaded, newest first. */
export const liveEvents = signal<LiveEvent[]>([]);

let started = false;

function handle(data: unknown): void {
  if (typeof data !== "object" || data === null) return;
  const message = data as { type?: string; device?: LiveDevice; event?: LiveEvent } & LiveRates;
  if (message.type === "rates") liveRates.value = message;
  else if (message.type === "device" && message.device) {
    liveDevices.value = [message.device, ...liveDevices.value].slice(0, 50);
  } else if (message.type === "event" && message.event) {
    liveEvents.value = [message.event, ...liveEvents.value].slice(0, 50);
  }
}

function connect(attempt: number): void {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let socket: WebSocket;
  try {
    socket = new WebSocket(`${scheme}://${location.host}/api/v1/ws/live`);
  } catch {
    liveStatus.value = "off";
    return;
  }
  let opened = false;
  socket.onopen = () => {
    opened = true;
    liveStatus.value = "on";
  };
  socket.onmessage = (message) => {
    try {
      handle(JSON.parse(String(message.data)));
    } catch {
      // A message we cannot read is skipped; the next one may be fine.
    }
  };
  socket.onclose = () => {
    liveStatus.value = "off";
    const next = opened ? 0 : attempt + 1;
    setTimeout(() => connect(next), Math.min(60_000, 2_000 * 2 ** Math.min(next, 5)));
  };
}

/** Opens the live socket once per page. */
export function startLive(): void {
  if (started) return;
  started = true;
  connect(0);
}
